package io.valentia.probes.denials;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel log, {@code /dev/kmsg} (needs root or CAP_SYSLOG): every read returns one record
 * {@code PRIORITY,SEQUENCE,MICROS,FLAGS;MESSAGE}. Resumes after the last sequence number read in
 * the same boot (the boot id tells); records the ring buffer overwrote before they were read are
 * skipped by the kernel. Read once, it is exhausted when no record arrived for a quiet period after
 * the ones already in the buffer.
 */
public final class KernelLog implements LineSource {
  private static final Pattern RECORD = Pattern.compile("^(\\d+),(\\d+),(\\d+),[^;]*;(.*)$");
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  private final Path device;
  private final boolean follow;
  private final SourcePositions.Position resumeAt;
  private final Duration quiet;
  private volatile long lastRecordNanos = System.nanoTime();
  private volatile boolean exhausted;
  private volatile boolean closed;
  private volatile String failure;
  private volatile FileChannel channel;
  private Thread thread;

  /**
   * @param device {@code /dev/kmsg} (or a file of its records)
   * @param follow keep reading new records (else stop after a quiet period)
   * @param resumeAt the saved position (boot id and sequence), or null to read the whole buffer
   * @param quiet how long without a record means the buffer is read, when reading once
   */
  public KernelLog(Path device, boolean follow, SourcePositions.Position resumeAt, Duration quiet) {
    this.device = device;
    this.follow = follow;
    this.resumeAt = resumeAt;
    this.quiet = quiet;
  }

  @Override
  public String id() {
    return idOf(device);
  }

  /** The position key of the kernel log at {@code device}. */
  public static String idOf(Path device) {
    return "kmsg:" + device;
  }

  @Override
  public void start(BlockingQueue<Line> queue) {
    thread = new Thread(() -> run(queue), "denials-kmsg");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public boolean exhausted() {
    return exhausted
        || (!follow && System.nanoTime() - lastRecordNanos > quiet.toNanos() && thread != null);
  }

  @Override
  public String failure() {
    return failure;
  }

  @Override
  public void close() {
    closed = true;
    FileChannel c = channel;
    if (c != null) {
      try {
        c.close(); // unblocks a read waiting for the next record
      } catch (IOException ignored) {
        // closing
      }
    }
    if (thread != null) {
      thread.interrupt();
    }
  }

  static String bootId() {
    try {
      return Files.readString(BOOT_ID).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown-boot";
    }
  }

  private void run(BlockingQueue<Line> queue) {
    String boot = bootId();
    long skipUpTo = resumeAt != null && resumeAt.identity().equals(boot) ? resumeAt.offset() : -1;
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    StringBuilder pending = new StringBuilder();
    try (FileChannel c = FileChannel.open(device, StandardOpenOption.READ)) {
      channel = c;
      lastRecordNanos = System.nanoTime();
      while (!closed) {
        buffer.clear();
        int n;
        try {
          n = c.read(buffer);
        } catch (ClosedChannelException e) {
          return;
        } catch (IOException e) {
          if ("Broken pipe".equals(e.getMessage())) {
            continue; // records were overwritten before we read them; the next read goes on
          }
          throw e;
        }
        if (n < 0) {
          if (!follow) {
            exhausted = true;
            return;
          }
          Thread.sleep(250); // a regular file standing in for the device: wait for more
          continue;
        }
        lastRecordNanos = System.nanoTime();
        pending.append(new String(buffer.array(), 0, n, StandardCharsets.UTF_8));
        int newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
          String line = pending.substring(0, newline);
          pending.delete(0, newline + 1);
          Matcher m = RECORD.matcher(line);
          if (!m.matches()) {
            continue; // a continuation line (" SUBSYSTEM=...") or noise
          }
          long sequence = Long.parseLong(m.group(2));
          if (sequence <= skipUpTo) {
            continue;
          }
          queue.put(new Line(this, m.group(4), new SourcePositions.Position(boot, sequence)));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        failure = "could not read " + device + ": " + e.getMessage();
      }
    } finally {
      exhausted = true;
    }
  }
}
