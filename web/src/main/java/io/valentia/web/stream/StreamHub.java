package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.TopicReader;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why this class is over 400 lines: it is one protocol run by one thread. The join/leave commands,
 * the poll loop, the per-filter groups and per-rate sampling buckets, and each member's catch-up
 * skip all read and write the same hub-thread state ({@code lastSeen}, {@code groups}, {@code
 * members}) without locks, and the exactly-once hand-over from a catch-up reader ({@link
 * #joinAfter}) depends on them changing together between two polls; split into classes, that state
 * would have to be shared across them and its single-thread confinement would no longer be visible
 * in one place.
 *
 * <p>The one reading of the events topic that every live stream of the process shares. One thread
 * reads the topic with a {@link TopicReader} (no consumer group; committed records only), checks
 * each record's envelope once, tests it once against each distinct filter of the open streams,
 * writes the wire frame once and hands the same bytes to every stream whose filter passed it. A
 * stream only ever gets a non-blocking offer, so a slow client never slows the reading.
 *
 * <p>Streams that ask for sampling ({@link EventStream#sample()} events per second) share, per
 * filter and rate, a stride sampler and a per-second {@code summary} frame that counts every
 * matching event (by type, frame-time histograms, the MTU matrix), so a browser draws its charts
 * from the whole stream while its list gets a sample.
 *
 * <p>The reader starts with the first stream and stops {@code linger} after the last one left. A
 * stream joins at the hub's position ({@link #join}), or, after catching up on older records with a
 * reader of its own, at exactly the position it reached ({@link #joinAfter}): records the hub
 * already passed are not lost and records the stream already got are not sent twice. Thread-safe:
 * every change of the membership runs on the hub's thread between two polls.
 */
final class StreamHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
  private static final Duration POLL = Duration.ofMillis(50);

  /**
   * What a join answered.
   *
   * @param accepted whether the stream now gets its records from the hub
   * @param hubLastSeen the hub's last offset seen per partition: where a refused catch-up should
   *     read to before it asks again
   */
  record Joined(boolean accepted, Map<Integer, Long> hubLastSeen) {}

  private final KafkaSettings settings;
  private final String topic;
  private final Duration linger;
  private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
  private final AtomicInteger readers = new AtomicInteger();
  private Thread thread; // guarded by this
  private boolean closed; // guarded by this
  private volatile TopicReader reader;

  // owned by the hub's thread
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<EventStream, Member> members = new HashMap<>();
  private Map<Integer, Long> lastSeen;

  StreamHub(KafkaSettings settings, String topic, Duration linger) {
    this.settings = settings;
    this.topic = topic;
    this.linger = linger;
  }

  /**
   * Adds {@code stream} at the hub's current position; the hub queues its {@code ready} frame
   * before any event frame. Fails when the topic cannot be read.
   */
  CompletableFuture<Joined> join(EventStream stream) {
    CompletableFuture<Joined> done = new CompletableFuture<>();
    submit(new Join(stream, null, done));
    return done;
  }

  /**
   * Adds {@code stream}, which has seen every record up to {@code caughtUp} (last offset by
   * partition), if the hub has not gone past that anywhere; records up to it are then not sent to
   * it again. Otherwise it is refused with the hub's position, to read up to before asking again.
   */
  CompletableFuture<Joined> joinAfter(EventStream stream, Map<Integer, Long> caughtUp) {
    CompletableFuture<Joined> done = new CompletableFuture<>();
    submit(new Join(stream, Map.copyOf(caughtUp), done));
    return done;
  }

  /** Removes {@code stream}; any thread. */
  void leave(EventStream stream) {
    submit(new Leave(stream));
  }

  /** Whether the shared reader is running now. */
  boolean reading() {
    return readers.get() > 0;
  }

  /**
   * Stops the reading and ends every stream with an error frame; returns at once (the hub's thread
   * closes the reader), so it may be called on an event loop.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    TopicReader r = reader;
    if (r != null) {
      r.wakeup();
    }
  }

  private synchronized void submit(Command command) {
    if (closed) {
      if (command instanceof Join join) {
        join.done.completeExceptionally(new IllegalStateException("the server is stopping"));
      }
      return;
    }
    if (thread == null && command instanceof Leave) {
      return; // not reading: nobody is a member
    }
    commands.add(command);
    if (thread == null) {
      thread = new Thread(this::run, "valentia-stream-hub");
      thread.setDaemon(true);
      thread.start();
    }
  }

  // ------------------------------------------------------------------------------------------
  // the hub's thread

  private void run() {
    // batches of at least 16 kB or 10 ms: at 10,000 events/s the broker answers a few hundred
    // fetches a second instead of one per handful of events, for at most 10 ms more latency
    try (TopicReader kafka =
        TopicReader.open(
            settings,
            "sse",
            topic,
            Map.of("max.poll.records", 2000, "fetch.min.bytes", 16_384, "fetch.max.wait.ms", 10))) {
      readers.incrementAndGet();
      try {
        lastSeen = new TreeMap<>();
        kafka.positions().forEach((p, next) -> lastSeen.put(p, next - 1));
        reader = kafka;
        loop(kafka);
      } finally {
        readers.decrementAndGet();
        reader = null;
      }
    } catch (RuntimeException e) {
      LOG.warn("the live streams' reader stopped: {}", e.toString());
      failEveryone(e);
    }
  }

  private void loop(TopicReader kafka) {
    long idleSince = System.nanoTime();
    while (true) {
      runCommands();
      if (members.isEmpty()) {
        synchronized (this) {
          if (closed || (commands.isEmpty() && System.nanoTime() - idleSince > linger.toNanos())) {
            thread = null;
            return;
          }
        }
      } else {
        idleSince = System.nanoTime();
      }
      synchronized (this) {
        if (closed) {
          thread = null;
          failEveryone(new IllegalStateException("the server is stopping"));
          return;
        }
      }
      List<LogRecord> batch = kafka.poll(POLL);
      long second = System.currentTimeMillis() / 1000;
      flushSummaries(second);
      if (!batch.isEmpty()) {
        dispatch(batch, second);
        // transaction markers move a position without a record
        kafka.positions().forEach((p, next) -> lastSeen.merge(p, next - 1, Math::max));
        members.values().forEach(Member::checkCaughtUp);
      }
      members.keySet().forEach(EventStream::scheduleDrain);
    }
  }

  private void failEveryone(RuntimeException e) {
    synchronized (this) {
      thread = null;
    }
    for (Command command = commands.poll(); command != null; command = commands.poll()) {
      if (command instanceof Join join) {
        join.done.completeExceptionally(e);
      }
    }
    members.keySet().forEach(s -> s.fail(e.getMessage()));
    members.clear();
    groups.clear();
  }

  private void runCommands() {
    for (Command command = commands.poll(); command != null; command = commands.poll()) {
      if (command instanceof Join join) {
        admit(join);
      } else if (command instanceof Leave leave) {
        remove(leave.stream);
      }
    }
  }

  private void admit(Join join) {
    EventStream stream = join.stream;
    if (!stream.running()) {
      join.done.complete(new Joined(false, Map.copyOf(lastSeen)));
      return;
    }
    Map<Integer, Long> skip = null;
    if (join.caughtUp != null) {
      for (Map.Entry<Integer, Long> e : lastSeen.entrySet()) {
        if (join.caughtUp.getOrDefault(e.getKey(), -1L) < e.getValue()) {
          join.done.complete(new Joined(false, Map.copyOf(lastSeen)));
          return;
        }
      }
      skip = new TreeMap<>(join.caughtUp);
    } else {
      stream.offerControl(
          EventStream.frame(
              "ready",
              new JsonObject()
                  .put("cursor", EventStream.cursor(lastSeen, -1))
                  .put("filter", stream.filter().source())
                  .put("sample", stream.sample())
                  .encode()));
    }
    Group group = groups.computeIfAbsent(stream.filter().source(), s -> new Group(stream.filter()));
    Bucket bucket = group.bucket(stream.sample());
    Member member = new Member(stream, bucket, skip);
    member.checkCaughtUp();
    bucket.members.add(member);
    members.put(stream, member);
    stream.scheduleDrain();
    join.done.complete(new Joined(true, Map.copyOf(lastSeen)));
  }

  private void remove(EventStream stream) {
    Member member = members.remove(stream);
    if (member == null) {
      return;
    }
    Group group = groups.get(stream.filter().source());
    member.bucket.members.remove(member);
    if (member.bucket.members.isEmpty()) {
      group.buckets.remove(member.bucket.sample);
      if (group.buckets.isEmpty()) {
        groups.remove(stream.filter().source());
      }
    }
  }

  private void dispatch(List<LogRecord> batch, long second) {
    EventCodec codec = EventCodec.instance();
    for (LogRecord record : batch) {
      lastSeen.put(record.partition(), record.offset());
      JsonNode tree = validEvent(codec, record.value());
      if (tree == null) {
        continue;
      }
      byte[] frame = null;
      for (Group group : groups.values()) {
        if (!group.filter.test(tree)) {
          continue;
        }
        group.take(tree, second);
        for (Bucket bucket : group.buckets.values()) {
          if (!bucket.admit()) {
            continue;
          }
          if (frame == null) {
            frame =
                EventStream.eventFrame(
                    EventStream.cursor(lastSeen, record.partition()), record.value(), tree);
          }
          for (Member member : bucket.members) {
            member.offer(frame, record, tree);
          }
        }
      }
    }
  }

  private void flushSummaries(long second) {
    for (Group group : groups.values()) {
      group.flush(second);
    }
  }

  /**
   * The envelope only: publishers validate data, the dead-letter gate reports what they did not.
   */
  static JsonNode validEvent(EventCodec codec, byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      JsonNode tree = EventCodec.MAPPER.readTree(value);
      codec.decodeEnvelope(tree);
      return tree;
    } catch (IOException | InvalidEventException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------------------

  private sealed interface Command permits Join, Leave {}

  private record Join(
      EventStream stream, Map<Integer, Long> caughtUp, CompletableFuture<Joined> done)
      implements Command {}

  private record Leave(EventStream stream) implements Command {}

  /** The streams of one distinct filter: tested once per event for all of them. */
  private static final class Group {
    final EventFilter filter;
    final Map<Integer, Bucket> buckets = new LinkedHashMap<>();
    SecondSummary summary;

    Group(EventFilter filter) {
      this.filter = filter;
    }

    Bucket bucket(int sample) {
      Bucket bucket = buckets.computeIfAbsent(sample, Bucket::new);
      if (sample > 0 && summary == null) {
        summary = new SecondSummary(System.currentTimeMillis() / 1000);
      }
      return bucket;
    }

    void take(JsonNode event, long second) {
      if (summary != null) {
        flush(second);
        summary.add(event);
      }
    }

    /** Sends the finished second's summary to every sampled stream of this filter. */
    void flush(long second) {
      if (summary == null || summary.second() == second) {
        return;
      }
      long matched = summary.matched();
      for (Bucket bucket : buckets.values()) {
        if (bucket.sample > 0) {
          if (matched > 0) {
            byte[] frame = EventStream.frame("summary", summary.toJson(bucket.sent).encode());
            bucket.members.forEach(m -> m.stream.offerControl(frame));
          }
          bucket.nextSecond(matched);
        }
      }
      summary = new SecondSummary(second);
    }
  }

  /** The streams of one filter and one sampling rate: sampled alike, sent the same bytes. */
  private static final class Bucket {
    final int sample;
    final List<Member> members = new ArrayList<>();
    long stride = 1;
    long matched;
    long sent;

    Bucket(int sample) {
      this.sample = sample;
    }

    /** Whether the list gets this matching event: every one, or one in {@code stride}. */
    boolean admit() {
      long n = matched++;
      if (sample == 0) {
        return true;
      }
      if (n % stride != 0 || sent >= sample) {
        return false;
      }
      sent++;
      return true;
    }

    /** The stride for the next second, from the rate of the one that ended. */
    void nextSecond(long matchedLastSecond) {
      stride = Math.max(1, (matchedLastSecond + sample - 1) / sample);
      matched = 0;
      sent = 0;
    }
  }

  /** One stream in the hub; {@code skip}: after a catch-up, what it already got. */
  private final class Member {
    final EventStream stream;
    final Bucket bucket;
    Map<Integer, Long> skip;

    Member(EventStream stream, Bucket bucket, Map<Integer, Long> skip) {
      this.stream = stream;
      this.bucket = bucket;
      this.skip = skip;
    }

    void offer(byte[] frame, LogRecord record, JsonNode tree) {
      if (skip == null) {
        stream.offerEvent(frame);
        return;
      }
      if (record.offset() <= skip.getOrDefault(record.partition(), -1L)) {
        return; // the catch-up sent it
      }
      // until the hub passes the catch-up's position everywhere, the cursor names the further one
      Map<Integer, Long> merged = new TreeMap<>(lastSeen);
      skip.forEach((p, o) -> merged.merge(p, o, Math::max));
      merged.put(record.partition(), record.offset());
      stream.offerEvent(
          EventStream.eventFrame(
              EventStream.cursor(merged, record.partition()), record.value(), tree));
    }

    void checkCaughtUp() {
      if (skip == null) {
        return;
      }
      for (Map.Entry<Integer, Long> e : skip.entrySet()) {
        if (lastSeen.getOrDefault(e.getKey(), -1L) < e.getValue()) {
          return;
        }
      }
      skip = null;
    }
  }
}
