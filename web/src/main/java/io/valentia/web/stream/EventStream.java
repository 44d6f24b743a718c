package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.TopicReader;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's Server-Sent Events stream. A dedicated thread reads the topic with a {@link
 * TopicReader} (no consumer group; committed records only), validates and filters each record and
 * puts the ready frame in a bounded buffer; the event loop moves frames from the buffer to the
 * connection as fast as the client takes them. When the buffer is full the newest frames are
 * dropped and counted, and the client gets an {@code event: dropped} frame with the count, so a
 * slow client never costs unbounded memory. Each event frame's {@code id} is a cursor ({@link
 * StreamStart}) that resumes the stream right after it.
 */
final class EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final int FRAMES_PER_WRITE = 512;

  private final Context context;
  private final HttpServerResponse response;
  private final KafkaSettings settings;
  private final String topic;
  private final EventFilter filter;
  private final StreamStart start;
  private final ArrayBlockingQueue<String> buffer;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Runnable onClose;
  private final AtomicLong droppedTotal;
  private volatile TopicReader reader;
  private long heartbeatTimer = -1;

  EventStream(
      Context context,
      HttpServerResponse response,
      KafkaSettings settings,
      String topic,
      EventFilter filter,
      StreamStart start,
      int bufferSize,
      AtomicLong droppedTotal,
      Runnable onClose) {
    this.context = context;
    this.response = response;
    this.settings = settings;
    this.topic = topic;
    this.filter = filter;
    this.start = start;
    this.buffer = new ArrayBlockingQueue<>(bufferSize);
    this.onClose = onClose;
    this.droppedTotal = droppedTotal;
  }

  /** Sends the headers and starts reading; call on the request's event loop. */
  void open(Duration heartbeat) {
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> close());
    response.exceptionHandler(e -> close());
    response.write("retry: 2000\n: valentia event stream\n\n");
    heartbeatTimer =
        context
            .owner()
            .setPeriodic(
                heartbeat.toMillis(),
                id -> {
                  if (running.get() && !response.writeQueueFull()) {
                    response.write(": heartbeat\n\n");
                  }
                });
    Thread reader = new Thread(this::read, "valentia-sse-" + Integer.toHexString(hashCode()));
    reader.setDaemon(true);
    reader.start();
  }

  /** Stops reading and ends the response if it is still open; idempotent, any thread. */
  void close() {
    if (!running.compareAndSet(true, false)) {
      return;
    }
    TopicReader r = reader;
    if (r != null) {
      r.wakeup();
    }
    context.runOnContext(
        v -> {
          context.owner().cancelTimer(heartbeatTimer);
          try {
            response.end();
          } catch (IllegalStateException ignored) {
            // already closed by the client
          }
          onClose.run();
        });
  }

  // ------------------------------------------------------------------------------------------
  // the reader thread

  private void read() {
    try (TopicReader kafka =
        TopicReader.open(
            settings,
            "sse",
            topic,
            // only records of committed transactions
            Map.of("max.poll.records", 2000, "isolation.level", "read_committed"))) {
      reader = kafka;
      if (!running.get()) {
        return;
      }
      Map<Integer, Long> lastSeen = position(kafka);
      offer(
          "event: ready\ndata: "
              + new JsonObject()
                  .put("cursor", cursor(lastSeen, -1))
                  .put("filter", filter.source())
                  .encode()
              + "\n\n");
      EventCodec codec = EventCodec.instance();
      while (running.get()) {
        for (LogRecord record : kafka.poll(POLL)) {
          lastSeen.put(record.partition(), record.offset());
          JsonNode tree = validEvent(codec, record.value());
          if (tree != null && filter.test(tree)) {
            String frame =
                "id: "
                    + cursor(lastSeen, record.partition())
                    + "\ndata: "
                    + oneLine(record.value(), tree)
                    + "\n\n";
            offerQuietly(frame);
          }
        }
        scheduleDrain();
      }
    } catch (RuntimeException e) {
      if (running.get()) {
        LOG.warn("event stream stopped: {}", e.toString());
        fail(e);
      }
      // else: closed while opening or positioning (a wakeup ends those calls too)
    } finally {
      reader = null;
    }
  }

  /** Seeks every partition to the start and answers the last offset seen of each. */
  private Map<Integer, Long> position(TopicReader kafka) {
    Map<Integer, Long> begin = kafka.beginningOffsets();
    Map<Integer, Long> end = kafka.endOffsets();
    Map<Integer, Long> at = new TreeMap<>(end);
    if (start instanceof StreamStart.Beginning) {
      at.putAll(begin);
    } else if (start instanceof StreamStart.AtOffset o) {
      kafka
          .partitions()
          .forEach(p -> at.put(p, Math.max(begin.get(p), Math.min(end.get(p), o.offset()))));
    } else if (start instanceof StreamStart.AtTime t) {
      kafka.seekToTime(t.time());
      at.putAll(kafka.positions());
    } else if (start instanceof StreamStart.Cursor c) {
      kafka
          .partitions()
          .forEach(
              p -> {
                Long last = c.lastSeen().get(p);
                if (last != null) {
                  at.put(p, Math.max(begin.get(p), Math.min(end.get(p), last + 1)));
                }
              });
    }
    kafka.seek(at);
    Map<Integer, Long> lastSeen = new TreeMap<>();
    at.forEach((partition, offset) -> lastSeen.put(partition, offset - 1));
    return lastSeen;
  }

  private static JsonNode validEvent(EventCodec codec, byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      JsonNode tree = EventCodec.MAPPER.readTree(value);
      // the envelope only: publishers validate data against its schema, and the dead-letter gate
      // reports records that were not; checking every schema here would cap a stream at a few
      // thousand events per second
      codec.decodeEnvelope(tree);
      return tree;
    } catch (IOException | InvalidEventException e) {
      return null; // the dead-letter gate reports it
    }
  }

  /**
   * The event as one {@code data:} line: the record's own bytes when they hold no line break (what
   * every publisher writes: compact JSON), which saves writing the tree out again; else the tree.
   */
  static String oneLine(byte[] value, JsonNode tree) {
    for (byte b : value) {
      if (b == '\n' || b == '\r') {
        return tree.toString();
      }
    }
    return new String(value, java.nio.charset.StandardCharsets.UTF_8);
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

  private void offer(String frame) {
    offerQuietly(frame);
    scheduleDrain();
  }

  private void offerQuietly(String frame) {
    if (!buffer.offer(frame)) {
      dropped.incrementAndGet();
      droppedTotal.incrementAndGet();
    }
  }

  private void fail(RuntimeException e) {
    offer(
        "event: error\ndata: "
            + new JsonObject().put("error", "the stream stopped: " + e.getMessage()).encode()
            + "\n\n");
    context.runOnContext(v -> close());
  }

  // ------------------------------------------------------------------------------------------
  // the event loop side

  private void scheduleDrain() {
    if ((!buffer.isEmpty() || dropped.get() > 0) && drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    drainScheduled.set(false);
    if (!running.get() && buffer.isEmpty()) {
      return;
    }
    while (!response.writeQueueFull()) {
      Buffer chunk = Buffer.buffer();
      long lost = dropped.getAndSet(0);
      if (lost > 0) {
        chunk.appendString(
            "event: dropped\ndata: {\"dropped\":"
                + lost
                + ",\"reason\":\"the client did not keep up\"}\n\n");
      }
      for (int i = 0; i < FRAMES_PER_WRITE; i++) {
        String frame = buffer.poll();
        if (frame == null) {
          break;
        }
        chunk.appendString(frame);
      }
      if (chunk.length() == 0) {
        return;
      }
      try {
        response.write(chunk);
      } catch (IllegalStateException closed) {
        close();
        return;
      }
    }
    response.drainHandler(v -> drain());
  }
}
