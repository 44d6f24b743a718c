package io.valentia.probes.denials;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;

/**
 * A file of audit lines (audit.log, a saved kernel log, {@code ausearch -i} output), read from
 * where it was left off. Followed, it waits for more and handles rotation (the path names a new
 * file: the old one is read to its end first, then the new one from its start) and truncation (the
 * file shrank below the position: read again from its start). Read once, it stops at the end. A
 * line is delivered only once its newline arrived (or at the end of a file read once).
 */
public final class FollowedFile implements LineSource {
  private static final int MAX_LINE = 64 * 1024;

  private final Path path;
  private final boolean follow;
  private final boolean fromEnd;
  private final SourcePositions.Position resumeAt;
  private final Duration pollEvery;
  private volatile boolean exhausted;
  private volatile boolean closed;
  private volatile String failure;
  private Thread thread;

  /**
   * @param path the file
   * @param follow wait for more at the end (else stop there)
   * @param fromEnd without a saved position, start at the end of the file (else at its start)
   * @param resumeAt the saved position, or null
   * @param pollEvery how often to look for more while following
   */
  public FollowedFile(
      Path path,
      boolean follow,
      boolean fromEnd,
      SourcePositions.Position resumeAt,
      Duration pollEvery) {
    this.path = path;
    this.follow = follow;
    this.fromEnd = fromEnd;
    this.resumeAt = resumeAt;
    this.pollEvery = pollEvery;
  }

  @Override
  public String id() {
    return idOf(path);
  }

  /** The position key of the file at {@code path}. */
  public static String idOf(Path path) {
    return "file:" + path.toAbsolutePath().normalize();
  }

  @Override
  public void start(BlockingQueue<Line> queue) {
    thread = new Thread(() -> run(queue), "denials-file-" + path.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public boolean exhausted() {
    return exhausted;
  }

  @Override
  public String failure() {
    return failure;
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
  }

  /** The identity of the file now at {@code path}: its device and inode. */
  static String identity(Path path) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
    Object key = attrs.fileKey();
    return key == null ? "size-unknown" : key.toString();
  }

  private void run(BlockingQueue<Line> queue) {
    try {
      FileChannel channel = null;
      String identity = null;
      long offset = 0;
      boolean first = true;
      ByteArrayOutputStream partial = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      while (!closed) {
        if (channel == null) {
          try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            identity = identity(path);
          } catch (NoSuchFileException e) {
            if (!follow) {
              failure = "no such file: " + path;
              exhausted = true;
              return;
            }
            Thread.sleep(pollEvery.toMillis());
            continue;
          }
          offset = 0;
          if (first) {
            if (resumeAt != null && resumeAt.identity().equals(identity)) {
              offset = resumeAt.offset() <= channel.size() ? resumeAt.offset() : 0;
            } else if (resumeAt == null && fromEnd) {
              offset = channel.size();
            }
            first = false;
          }
          channel.position(offset);
          partial.reset();
        }
        buffer.clear();
        int n = channel.read(buffer);
        if (n > 0) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            byte b = buffer.get();
            offset++;
            if (b == '\n') {
              deliver(queue, partial, identity, offset);
            } else if (partial.size() < MAX_LINE) {
              partial.write(b);
            }
          }
          continue;
        }
        // at the end of what is there now
        if (!follow) {
          if (partial.size() > 0) {
            deliver(queue, partial, identity, offset);
          }
          channel.close();
          exhausted = true;
          return;
        }
        String now = currentIdentity();
        if (now != null && !now.equals(identity)) {
          channel.close(); // rotated: the old file is read to its end; take the new one
          channel = null;
          continue;
        }
        if (channel.size() < offset) {
          offset = 0; // truncated: read again from the start
          channel.position(0);
          partial.reset();
          continue;
        }
        Thread.sleep(pollEvery.toMillis());
      }
      if (channel != null) {
        channel.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      if (!closed) {
        failure = "could not read " + path + ": " + e.getMessage();
      }
      exhausted = true;
    }
  }

  private String currentIdentity() {
    try {
      return identity(path);
    } catch (IOException e) {
      return null; // moved away and not yet recreated
    }
  }

  private void deliver(
      BlockingQueue<Line> queue, ByteArrayOutputStream partial, String identity, long offset)
      throws InterruptedException {
    String text = partial.toString(StandardCharsets.UTF_8);
    partial.reset();
    queue.put(new Line(this, text, new SourcePositions.Position(identity, offset)));
  }
}
