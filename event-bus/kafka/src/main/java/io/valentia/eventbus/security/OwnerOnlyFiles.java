package io.valentia.eventbus.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Secrets on disk, readable and writable by their owner only (0600 files in a 0700 directory), and
 * written so that a reader never sees half a file. Also for any file of the data directory that
 * several processes may create at once and that must be written once (the group member id).
 */
public final class OwnerOnlyFiles {
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  private OwnerOnlyFiles() {}

  /**
   * Writes {@code content} to {@code file} unless it exists already (another process may create it
   * at the same moment: the first one wins and both then read the same file).
   *
   * @return whether this call created it
   */
  public static boolean createIfAbsent(Path file, byte[] content) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, posix(dir, DIRECTORY));
      }
      if (Files.exists(file)) {
        return false;
      }
      Path temp = Files.createTempFile(dir, ".secret", ".tmp", posix(dir, FILE));
      try {
        Files.write(temp, content);
        try {
          Files.createLink(file, temp); // fails when another writer was first
          return true;
        } catch (FileAlreadyExistsException raced) {
          return false;
        } catch (UnsupportedOperationException | FileSystemException noLinks) {
          // a file system without hard links (vfat, some network file systems answer EPERM):
          // a plain move instead, which refuses an existing target (a rename that replaced it
          // would overwrite a secret another process wrote first). Nothing is hidden: any other
          // failure fails the move as well and is thrown from there.
          try {
            Files.move(temp, file);
            return true;
          } catch (FileAlreadyExistsException raced) {
            return false;
          }
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Whether group or others may read or write {@code file} (never so for a secret we wrote).
   *
   * @throws IllegalStateException when the file system has no POSIX permissions to ask
   */
  static boolean tooOpen(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      return permissions.contains(PosixFilePermission.GROUP_READ)
          || permissions.contains(PosixFilePermission.OTHERS_READ)
          || permissions.contains(PosixFilePermission.GROUP_WRITE)
          || permissions.contains(PosixFilePermission.OTHERS_WRITE);
    } catch (UnsupportedOperationException e) {
      // nothing here can keep a secret from other users: refuse rather than pretend it is safe
      throw new IllegalStateException(
          file
              + " is on a file system without POSIX permissions, which cannot keep a secret"
              + " owner-only; keep the data directory on one that has them",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the permissions of " + file, e);
    }
  }

  private static FileAttribute<?>[] posix(Path dir, Set<PosixFilePermission> permissions) {
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    boolean posix =
        existing != null
            && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    return posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
        : new FileAttribute<?>[0];
  }
}
