package io.valentia.probes.denials;

import io.valentia.probes.follow.FollowedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;

/**
 * A file of audit lines (audit.log, a saved kernel log, {@code ausearch -i} output), read from
 * where it was left off through a {@link FollowedFile}: followed, it waits for more and goes
 * through rotation and truncation; read once, it stops at the end. A line is delivered only once
 * its newline arrived (or at the end of a file read once), with the position just after it.
 */
public final class AuditFile implements LineSource {
  private static final int MAX_LINE = 64 * 1024;

  private final Path path;
  private final FollowedFile file;
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
  public AuditFile(
      Path path,
      boolean follow,
      boolean fromEnd,
      SourcePositions.Position resumeAt,
      Duration pollEvery) {
    this.path = path;
    FollowedFile.Start start =
        resumeAt != null
            ? FollowedFile.Start.after(resumeAt.identity(), resumeAt.offset())
            : fromEnd ? FollowedFile.Start.AT_END : FollowedFile.Start.AT_START;
    this.file = new FollowedFile(path, follow, start, pollEvery);
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
    try {
      file.close();
    } catch (IOException e) {
      // closing is best effort
    }
    if (thread != null) {
      thread.interrupt();
    }
  }

  private void run(BlockingQueue<Line> queue) {
    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    String identity = null;
    long offset = -1;
    try {
      int n;
      while ((n = file.read(buffer, 0, buffer.length)) >= 0) {
        long from = file.position() - n;
        if (!file.identity().equals(identity) || from != offset) {
          partial.reset(); // another file, or this one again from its start
          identity = file.identity();
        }
        offset = from;
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          offset++;
          if (b == '\n') {
            deliver(queue, partial, identity, offset);
          } else if (partial.size() < MAX_LINE) {
            partial.write(b);
          }
        }
      }
      if (!closed && partial.size() > 0) {
        deliver(queue, partial, identity, offset); // read once: the last line has no newline
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (NoSuchFileException e) {
      failure = "no such file: " + path;
    } catch (IOException e) {
      if (!closed) {
        failure = "could not read " + path + ": " + e.getMessage();
      }
    } finally {
      exhausted = true;
      try {
        file.close();
      } catch (IOException e) {
        // closing is best effort
      }
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
