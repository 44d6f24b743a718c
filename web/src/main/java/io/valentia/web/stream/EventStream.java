package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's Server-Sent Events stream. A dedicated thread reads the topic with its own
 * group-less consumer, validates and filters each record and puts the ready frame in a bounded
 * buffer; the event loop moves frames from the buffer to the connection as fast as the client takes
 * them. When the buffer is full the newest frames are dropped and counted, and the client gets an
 * {@code event: dropped} frame with the count, so a slow client never costs unbounded memory. Each
 * event frame's {@code id} is a cursor ({@link StreamStart}) that resumes the stream right after
 * it.
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
  private volatile KafkaConsumer<byte[], byte[]> consumer;
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
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
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
    Properties props = new Properties();
    props.putAll(settings.commonClientProperties("sse"));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> kafka =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer = kafka;
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
        for (ConsumerRecord<byte[], byte[]> record : kafka.poll(POLL)) {
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
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      LOG.warn("event stream stopped: {}", e.toString());
      fail(e);
    } finally {
      consumer = null;
    }
  }

  /** Assigns every partition, seeks to the start and answers the last offset seen of each. */
  private Map<Integer, Long> position(KafkaConsumer<byte[], byte[]> kafka) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : kafka.partitionsFor(topic, Duration.ofSeconds(15))) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    kafka.assign(partitions);
    Map<TopicPartition, Long> begin = kafka.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = kafka.endOffsets(partitions);
    Map<TopicPartition, Long> at = new java.util.HashMap<>(end);
    if (start instanceof StreamStart.Beginning) {
      at.putAll(begin);
    } else if (start instanceof StreamStart.AtOffset o) {
      partitions.forEach(
          tp -> at.put(tp, Math.max(begin.get(tp), Math.min(end.get(tp), o.offset()))));
    } else if (start instanceof StreamStart.AtTime t) {
      Map<TopicPartition, Long> query = new java.util.HashMap<>();
      partitions.forEach(tp -> query.put(tp, t.time().toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> found = kafka.offsetsForTimes(query);
      found.forEach((tp, ot) -> at.put(tp, ot == null ? end.get(tp) : ot.offset()));
    } else if (start instanceof StreamStart.Cursor c) {
      partitions.forEach(
          tp -> {
            Long last = c.lastSeen().get(tp.partition());
            if (last != null) {
              at.put(tp, Math.max(begin.get(tp), Math.min(end.get(tp), last + 1)));
            }
          });
    }
    Map<Integer, Long> lastSeen = new TreeMap<>();
    at.forEach(
        (tp, offset) -> {
          kafka.seek(tp, offset);
          lastSeen.put(tp.partition(), offset - 1);
        });
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
