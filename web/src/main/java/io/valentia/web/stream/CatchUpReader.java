package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.TopicReader;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream that starts before the present ({@code from=beginning}, a time, an offset, a {@code
 * Last-Event-ID} cursor) reads the older records with a reader of its own, on its own thread, then
 * hands over to the shared {@link StreamHub} at exactly the position it reached: it asks the hub to
 * take it, and when the hub has already gone further it reads up to the hub's position and asks
 * again. The catch-up sends every matching record (no sampling) and drops for this client only when
 * its buffer is full, as the hub does.
 */
final class CatchUpReader implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(CatchUpReader.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaSettings settings;
  private final String topic;
  private final EventStream stream;
  private final StreamStart start;
  private final StreamHub hub;
  private volatile TopicReader reader;

  CatchUpReader(
      KafkaSettings settings, String topic, EventStream stream, StreamStart start, StreamHub hub) {
    this.settings = settings;
    this.topic = topic;
    this.stream = stream;
    this.start = start;
    this.hub = hub;
  }

  /** Ends the catch-up at once (the client left); any thread. */
  void stop() {
    TopicReader r = reader;
    if (r != null) {
      r.wakeup();
    }
  }

  @Override
  public void run() {
    try (TopicReader kafka =
        TopicReader.open(settings, "sse-catch-up", topic, Map.of("max.poll.records", 2000))) {
      reader = kafka;
      if (!stream.running()) {
        return;
      }
      Map<Integer, Long> lastSeen = position(kafka);
      stream.offerControl(
          EventStream.frame(
              "ready",
              new JsonObject()
                  .put("cursor", EventStream.cursor(lastSeen, -1))
                  .put("filter", stream.filter().source())
                  .put("sample", stream.sample())
                  .encode()));
      stream.scheduleDrain();
      EventCodec codec = EventCodec.instance();
      Map<Integer, Long> target = null;
      while (stream.running()) {
        for (LogRecord record : kafka.poll(POLL)) {
          lastSeen.put(record.partition(), record.offset());
          JsonNode tree = StreamHub.validEvent(codec, record.value());
          if (tree != null && stream.filter().test(tree)) {
            stream.offerEvent(
                EventStream.eventFrame(
                    EventStream.cursor(lastSeen, record.partition()), record.value(), tree));
          }
        }
        stream.scheduleDrain();
        if (!stream.running()) {
          return;
        }
        // everything before the positions has been read (transaction markers have no record)
        kafka.positions().forEach((p, next) -> lastSeen.merge(p, next - 1, Math::max));
        if (target == null || reached(lastSeen, target)) {
          StreamHub.Joined joined = hub.joinAfter(stream, lastSeen).get(60, TimeUnit.SECONDS);
          if (joined.accepted()) {
            return;
          }
          target = joined.hubLastSeen();
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      stop(e.getCause() == null ? e : e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      stop(e);
    } finally {
      reader = null;
    }
  }

  private void stop(Throwable e) {
    if (stream.running()) {
      LOG.warn("a live stream's catch-up stopped: {}", e.toString());
      stream.fail(String.valueOf(e.getMessage()));
    }
    // else: closed while opening or reading (a wakeup ends those calls too)
  }

  private static boolean reached(Map<Integer, Long> lastSeen, Map<Integer, Long> target) {
    for (Map.Entry<Integer, Long> e : target.entrySet()) {
      if (lastSeen.getOrDefault(e.getKey(), -1L) < e.getValue()) {
        return false;
      }
    }
    return true;
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
}
