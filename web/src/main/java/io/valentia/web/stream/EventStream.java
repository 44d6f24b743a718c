package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's Server-Sent Events connection. Frames arrive ready-made from one producer thread at
 * a time (the stream's own {@link CatchUpReader}, then the shared {@link StreamHub}) and wait in a
 * bounded buffer, by count and by bytes; the event loop moves them to the connection as fast as the
 * client takes them. When the buffer is full, new event frames are dropped for this client only and
 * counted, and the client gets an {@code event: dropped} frame with the count, so a slow client
 * never slows the others nor costs unbounded memory. Control frames ({@code ready}, per-second
 * {@code summary}, {@code error}) are never dropped; a client that takes nothing for {@link
 * EventStreams.Limits#stallTimeout()} while frames wait is disconnected.
 */
final class EventStream {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventStream.class);
  private static final int FRAMES_PER_WRITE = 512;
  private static final long TICK_MILLIS = 1000;

  /**
   * Writes to one connection are at least this far apart: what arrives within the window after a
   * write goes out together in the next one. A stream that was quiet writes at once; a busy one
   * makes at most one socket write per window instead of one per shared-reader batch (a selective
   * stream at 100 events/s made about one write per event).
   */
  static final long WRITE_WINDOW_MILLIS = 15;

  private final Context context;
  private final HttpServerResponse response;
  private final EventFilter filter;
  private final int sample;
  private final EventStreams.Limits limits;
  private final String principal;
  private final ArrayBlockingQueue<byte[]> events;
  private final ConcurrentLinkedQueue<byte[]> control = new ConcurrentLinkedQueue<>();
  private final AtomicLong bufferedBytes = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong droppedTotal;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Runnable onClose;
  private final long writeWindowNanos;
  private volatile Runnable onStop = () -> {};
  private long timer = -1;
  private long lastHeartbeat = System.nanoTime();
  private long lastProgress = System.nanoTime();
  private long lastWrite;
  private boolean windowTimer;
  private volatile long writes; // written on the event loop only

  EventStream(
      Context context,
      HttpServerResponse response,
      EventFilter filter,
      int sample,
      EventStreams.Limits limits,
      String principal,
      AtomicLong droppedTotal,
      Runnable onClose) {
    this(
        context,
        response,
        filter,
        sample,
        limits,
        principal,
        droppedTotal,
        onClose,
        Duration.ofMillis(WRITE_WINDOW_MILLIS));
  }

  EventStream(
      Context context,
      HttpServerResponse response,
      EventFilter filter,
      int sample,
      EventStreams.Limits limits,
      String principal,
      AtomicLong droppedTotal,
      Runnable onClose,
      Duration writeWindow) {
    this.writeWindowNanos = writeWindow.toNanos();
    this.lastWrite = System.nanoTime() - writeWindowNanos;
    this.context = context;
    this.response = response;
    this.filter = filter;
    this.sample = sample;
    this.limits = limits;
    this.principal = principal;
    this.events = new ArrayBlockingQueue<>(limits.bufferSize());
    this.droppedTotal = droppedTotal;
    this.onClose = onClose;
  }

  EventFilter filter() {
    return filter;
  }

  /** Events per second the list may get before it is sampled; 0: every matching event. */
  int sample() {
    return sample;
  }

  String principal() {
    return principal;
  }

  boolean running() {
    return running.get();
  }

  /** Called once when the stream stops, on any thread (to leave the hub, stop a catch-up). */
  void onStop(Runnable action) {
    this.onStop = action;
  }

  /** Sends the headers and starts the heartbeat; call on the request's event loop. */
  void open() {
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> close());
    response.exceptionHandler(e -> close());
    response.write("retry: 2000\n: valentia event stream\n\n");
    timer = context.owner().setPeriodic(TICK_MILLIS, id -> tick());
  }

  /** Stops the stream and ends the response if it is still open; idempotent, any thread. */
  void close() {
    if (!running.compareAndSet(true, false)) {
      return;
    }
    onStop.run();
    context.runOnContext(
        v -> {
          context.owner().cancelTimer(timer);
          try {
            response.end();
          } catch (IllegalStateException ignored) {
            // already closed by the client
          }
          events.clear();
          control.clear();
          onClose.run();
        });
  }

  // ------------------------------------------------------------------------------------------
  // the producer side (one thread at a time)

  /** Queues an event frame, or drops and counts it when this client's buffer is full. */
  void offerEvent(byte[] frame) {
    if (!running.get()) {
      return;
    }
    if (bufferedBytes.get() + frame.length > limits.bufferBytes() || !events.offer(frame)) {
      dropped.incrementAndGet();
      droppedTotal.incrementAndGet();
      return;
    }
    bufferedBytes.addAndGet(frame.length);
  }

  /** Queues a frame that is never dropped (ready, summary, error). */
  void offerControl(byte[] frame) {
    control.add(frame);
  }

  /** Asks the event loop to move what waits to the connection. */
  void scheduleDrain() {
    if ((!events.isEmpty() || !control.isEmpty() || dropped.get() > 0)
        && drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  /** Sends an error frame and ends the stream. */
  void fail(String message) {
    offerControl(
        frame("error", new JsonObject().put("error", "the stream stopped: " + message).encode()));
    context.runOnContext(
        v -> {
          if (running.get()) {
            write(); // now, not at the end of the write window
          }
          close();
        });
  }

  /** Socket writes of frames so far (each one chunk), for tests. */
  long writes() {
    return writes;
  }

  // ------------------------------------------------------------------------------------------
  // the event loop side

  private void drain() {
    if (windowTimer) {
      return; // the window's timer writes what waits
    }
    if (!running.get()) {
      drainScheduled.set(false);
      return;
    }
    long wait = lastWrite + writeWindowNanos - System.nanoTime();
    if (wait > 0) {
      // within the window after the last write: gather until it ends (drainScheduled stays set,
      // so the hub does not ask again meanwhile)
      windowTimer = true;
      context
          .owner()
          .setTimer(
              Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)),
              id -> {
                windowTimer = false;
                drainScheduled.set(false);
                if (running.get()) {
                  write();
                }
              });
      return;
    }
    drainScheduled.set(false);
    write();
  }

  /** Moves what waits to the connection, in chunks, while it takes them. */
  private void write() {
    while (!response.writeQueueFull()) {
      Buffer chunk = Buffer.buffer(16 * 1024);
      for (byte[] frame = control.poll(); frame != null; frame = control.poll()) {
        chunk.appendBytes(frame);
      }
      long lost = dropped.getAndSet(0);
      if (lost > 0) {
        chunk.appendString(
            "event: dropped\ndata: {\"dropped\":"
                + lost
                + ",\"reason\":\"the client did not keep up\"}\n\n");
      }
      for (int i = 0; i < FRAMES_PER_WRITE; i++) {
        byte[] frame = events.poll();
        if (frame == null) {
          break;
        }
        bufferedBytes.addAndGet(-frame.length);
        chunk.appendBytes(frame);
      }
      if (chunk.length() == 0) {
        lastProgress = System.nanoTime();
        return;
      }
      lastProgress = System.nanoTime();
      lastWrite = lastProgress;
      writes = writes + 1;
      try {
        response.write(chunk);
      } catch (IllegalStateException closed) {
        close();
        return;
      }
    }
    // the client takes what it can: the next chunk as soon as it has room, no window
    response.drainHandler(
        v -> {
          if (running.get()) {
            write();
          }
        });
  }

  private void tick() {
    if (!running.get()) {
      return;
    }
    long now = System.nanoTime();
    boolean waiting = !events.isEmpty() || !control.isEmpty() || dropped.get() > 0;
    if (waiting && now - lastProgress > limits.stallTimeout().toNanos()) {
      // the client took nothing for that long: free its buffer and its connection
      LOG.info(
          "a live stream's client ({}) took nothing for {} s: disconnected",
          principal.isEmpty() ? "anonymous" : principal,
          limits.stallTimeout().toSeconds());
      response.reset();
      close();
      return;
    }
    if (now - lastHeartbeat >= limits.heartbeat().toNanos()) {
      lastHeartbeat = now;
      if (!response.writeQueueFull()) {
        response.write(": heartbeat\n\n");
      }
    }
    if (waiting) {
      scheduleDrain();
    }
  }

  // ------------------------------------------------------------------------------------------
  // frames

  static byte[] frame(String event, String data) {
    return ("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** An event frame: {@code id:} the cursor, {@code data:} the event as one line. */
  static byte[] eventFrame(String cursor, byte[] value, JsonNode tree) {
    byte[] line = oneLineBytes(value, tree);
    byte[] head = ("id: " + cursor + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + line.length + 2];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(line, 0, out, head.length, line.length);
    out[out.length - 2] = '\n';
    out[out.length - 1] = '\n';
    return out;
  }

  /**
   * The event as one {@code data:} line: the record's own bytes when they hold no line break (what
   * every publisher writes: compact JSON), which saves writing the tree out again; else the tree.
   */
  static String oneLine(byte[] value, JsonNode tree) {
    return new String(oneLineBytes(value, tree), StandardCharsets.UTF_8);
  }

  private static byte[] oneLineBytes(byte[] value, JsonNode tree) {
    for (byte b : value) {
      if (b == '\n' || b == '\r') {
        return tree.toString().getBytes(StandardCharsets.UTF_8);
      }
    }
    return value;
  }

  /** {@code P-O} of the event's partition first, then every other partition's last seen. */
  static String cursor(Map<Integer, Long> lastSeen, int first) {
    StringBuilder id = new StringBuilder();
    if (first >= 0) {
      id.append(first).append('-').append(lastSeen.get(first));
    }
    lastSeen.forEach(
        (partition, offset) -> {
          if (partition != first) {
            if (id.length() > 0) {
              id.append(',');
            }
            id.append(partition).append('-').append(offset);
          }
        });
    return id.toString();
  }
}
