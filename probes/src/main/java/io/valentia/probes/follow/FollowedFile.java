package io.valentia.probes.follow;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

/**
 * A file read as it grows, like {@code tail -F}. Followed, reading at the end of a regular file
 * waits for more; a file rotated away (the path names another file) is read to its end, then the
 * new one from its start; a file truncated below the position is read again from its start; a named
 * pipe is reopened when its writers close it. Read once, the end of the file is the end of the
 * stream.
 *
 * <p>Where the first open starts is a {@link Start}: the file's start, its end, or where an earlier
 * reader left it ({@link #identity()} and {@link #position()} after the bytes it handled). Reading
 * blocks, so use a dedicated thread; {@link #close()} from another thread ends it.
 */
public final class FollowedFile extends InputStream {
  /** Where the first open of a regular file starts reading. */
  public static final class Start {
    /** At the start of the file. */
    public static final Start AT_START = new Start(null, 0, false);

    /** At the end of the file: only what is appended from then on. */
    public static final Start AT_END = new Start(null, 0, true);

    private final String identity;
    private final long offset;
    private final boolean atEnd;

    private Start(String identity, long offset, boolean atEnd) {
      this.identity = identity;
      this.offset = offset;
      this.atEnd = atEnd;
    }

    /**
     * Where an earlier reader left the file {@code identity} (see {@link #identity()}): at {@code
     * offset} when the file at the path is still that one and not shorter; else at its start.
     */
    public static Start after(String identity, long offset) {
      return new Start(identity, offset, false);
    }
  }

  private final Path path;
  private final boolean follow;
  private final Start start;
  private final Duration pollEvery;
  private volatile boolean closed;
  private volatile boolean opening;
  private volatile String problem;
  private volatile int opens;
  private FileChannel channel;
  private Object fileKey;
  private long position;
  private boolean pipe;
  private boolean wasPipe;
  private final byte[] one = new byte[1];

  /**
   * @param path a regular file or a named pipe
   * @param follow wait for more at the end (else the end of the file ends the stream)
   * @param start where the first open of a regular file starts
   * @param pollEvery how often to look for more, or for the file, while following
   */
  public FollowedFile(Path path, boolean follow, Start start, Duration pollEvery) {
    this.path = path;
    this.follow = follow;
    this.start = start;
    this.pollEvery = pollEvery;
  }

  /**
   * A followed file, looked at every 100 ms.
   *
   * @param fromStart read a regular file from its start (else from its end at open)
   */
  public static FollowedFile follow(Path path, boolean fromStart) {
    return new FollowedFile(
        path, true, fromStart ? Start.AT_START : Start.AT_END, Duration.ofMillis(100));
  }

  /** The identity of a file: its device and inode ({@code size-unknown} where there is none). */
  public static String identityOf(Object fileKey) {
    return fileKey == null ? "size-unknown" : fileKey.toString();
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /**
   * Reads what is there, waiting for more while following.
   *
   * @return the bytes read, or -1 once closed (or, read once, at the end of the file)
   * @throws NoSuchFileException read once, when there is no file
   * @throws InterruptedIOException when the reading thread is interrupted while it waits
   */
  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (!closed) {
      if (channel == null && !open()) {
        pause();
        continue;
      }
      int n = channel.read(ByteBuffer.wrap(buffer, offset, length));
      if (n > 0) {
        position += n;
        return n;
      }
      if (!follow) {
        return -1;
      }
      if (pipe) {
        reopen(); // every writer closed the pipe: wait for the next one
      } else if (replacedOrTruncated()) {
        reopen();
      } else {
        pause();
      }
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    if (pipe && opening) {
      // a reader blocked opening a pipe waits for a writer: be that writer for a moment
      try (OutputStream unblock = Files.newOutputStream(path, StandardOpenOption.WRITE)) {
        unblock.flush();
      } catch (IOException e) {
        // it was not blocked after all
      }
    }
    FileChannel current = channel;
    if (current != null) {
      current.close();
    }
  }

  /**
   * The identity of the file the last bytes came from (see {@link #identityOf}); null before the
   * first open. Only the reading thread may ask.
   */
  public String identity() {
    return opens == 0 ? null : identityOf(fileKey);
  }

  /**
   * The offset in that file just after the last byte read (for a pipe, the bytes read since it was
   * opened). Only the reading thread may ask.
   */
  public long position() {
    return position;
  }

  /**
   * Why nothing can be read now, while it lasts: {@code no such file}, {@code the named pipe is
   * gone}, {@code removed; ...}; null while the file is there. Any thread may ask.
   */
  public String problem() {
    return problem;
  }

  /** How many times the file was opened (0 until it could be). Any thread may ask. */
  public int opens() {
    return opens;
  }

  private boolean open() throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      if (!follow) {
        throw e;
      }
      problem = wasPipe ? "the named pipe is gone" : "no such file";
      return false;
    }
    pipe = attributes.isOther();
    opening = true;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } finally {
      opening = false;
    }
    if (closed) {
      channel.close();
      return false;
    }
    fileKey = attributes.fileKey();
    position = pipe || opens > 0 ? 0 : firstPosition();
    if (position > 0) {
      channel.position(position);
    }
    wasPipe = pipe;
    problem = null;
    opens++;
    return true;
  }

  /** Where the first open of a regular file starts: see {@link Start}. */
  private long firstPosition() throws IOException {
    if (start.identity != null) {
      return start.identity.equals(identityOf(fileKey)) && start.offset <= channel.size()
          ? start.offset
          : 0;
    }
    return start.atEnd ? channel.size() : 0;
  }

  private void reopen() throws IOException {
    channel.close();
    channel = null;
  }

  private boolean replacedOrTruncated() throws IOException {
    boolean replaced;
    try {
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
      problem = null;
      replaced = fileKey != null && !fileKey.equals(now.fileKey());
    } catch (NoSuchFileException e) {
      // removed: keep reading what we have until a new one appears
      problem = "removed; the old file is read until a new one appears";
      replaced = false;
    }
    return replaced || channel.size() < position;
  }

  private void pause() throws IOException {
    try {
      Thread.sleep(pollEvery.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while following " + path);
    }
  }
}
