package io.valentia.chaos.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes journals readable by their owner only ({@code 0600}; their folder {@code 0700} when it is
 * created here): a journal holds what an experiment did and saw.
 */
public final class JournalFiles {
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR =
      PosixFilePermissions.fromString("rwx------");

  private JournalFiles() {}

  /**
   * Writes {@code text} to {@code file}, replacing it; the file is {@code 0600} before anything is
   * written to it (also when it existed with wider permissions).
   */
  public static void write(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    boolean posix = Files.getFileStore(existing(dir)).supportsFileAttributeView("posix");
    if (dir != null && !Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
      } else {
        Files.createDirectories(dir);
      }
    }
    if (posix && Files.exists(file)) {
      Files.setPosixFilePermissions(file, OWNER_FILE);
    }
    try (SeekableByteChannel out =
        posix
            ? Files.newByteChannel(
                file,
                Set.of(
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(OWNER_FILE))
            : Files.newByteChannel(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    }
  }

  private static Path existing(Path dir) {
    Path p = dir;
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p == null ? Path.of("/") : p;
  }
}
