package io.valentia.probes.frames;

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
 * A file read as it grows, like {@code tail -F}: at the end of a regular file, reading waits for
 * more; a file truncated or replaced is read again from its start; a named pipe is reopened when
 * its writers close it. Reading blocks, so use a dedicated thread; {@link #close()} from another
 * thread ends it (the blocked read then returns -1).
 */
public final class FollowedFile extends InputStream {
  private static final Duration POLL = Duration.ofMillis(100);

  private final Path path;
  private final boolean fromStart;
  private volatile boolean closed;
  private volatile boolean opening;
  private volatile String problem;
  private volatile int opens;
  private FileChannel channel;
  private Object fileKey;
  private boolean pipe;
  private boolean wasPipe;
  private final byte[] one = new byte[1];

  /**
   * @param path a regular file or a named pipe
   * @param fromStart read a regular file from its start (else from its end at open)
   */
  public FollowedFile(Path path, boolean fromStart) {
    this.path = path;
    this.fromStart = fromStart;
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    boolean first = channel == null;
    while (!closed) {
      if (channel == null && !open(first)) {
        pause();
        continue;
      }
      int n = channel.read(ByteBuffer.wrap(buffer, offset, length));
      if (n > 0) {
        return n;
      }
      if (pipe) {
        reopen(); // every writer closed the pipe: wait for the next one
      } else if (replacedOrTruncated()) {
        reopen();
        first = false;
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

  private boolean open(boolean atFirstOpen) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
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
    if (!pipe && atFirstOpen && !fromStart) {
      channel.position(channel.size());
    }
    wasPipe = pipe;
    problem = null;
    opens++;
    return true;
  }

  private void reopen() throws IOException {
    channel.close();
    channel = null;
  }

  private boolean replacedOrTruncated() throws IOException {
    try {
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
      problem = null;
      return (fileKey != null && !fileKey.equals(now.fileKey()))
          || channel.size() < channel.position();
    } catch (NoSuchFileException e) {
      // removed: keep reading what we have until a new one appears
      problem = "removed; the old file is read until a new one appears";
      return false;
    }
  }

  private void pause() throws IOException {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while following " + path);
    }
  }
}
