package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.metrics.PlatformMeters;
import io.valentia.eventbus.service.ApiRoutes;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/v1/events/stream}: the live event stream as Server-Sent Events. Parameters:
 * {@code filter} (an {@link EventFilter} expression; a bad one is a 400 naming the problem), {@code
 * from} (a {@link StreamStart}; {@code Last-Event-ID} wins over it) and {@code sample} (at most
 * that many events per second in the stream, evenly spread, plus an {@code event: summary} frame
 * each second that counts every matching event: see {@link SecondSummary}). Each event is one
 * {@code data:} line holding the CloudEvent JSON, with an {@code id:} cursor to resume from; the
 * stream also sends {@code event: ready} once positioned, {@code event: dropped} when the client
 * fell behind, and a {@code : heartbeat} comment every {@code heartbeat}. With {@code
 * validate=true} it only checks the parameters and answers 200 with JSON instead of streaming.
 *
 * <p>Every stream of the process is fed by one {@link StreamHub} (one reading of the topic); a
 * stream that starts in the past catches up with a {@link CatchUpReader} of its own first. At most
 * {@link Limits#maxStreams()} streams run at once, and {@link Limits#maxPerPrincipal()} per
 * principal; beyond, a 503 with the reason and {@code Retry-After}. Thread-safe.
 */
public final class EventStreams {
  /** Seconds a refused client is asked to wait. */
  static final int RETRY_AFTER_SECONDS = 10;

  /**
   * The streams' limits.
   *
   * @param bufferSize event frames waiting per stream before new ones are dropped for it
   * @param bufferBytes bytes of event frames waiting per stream before new ones are dropped for it
   * @param heartbeat the interval of heartbeat comments on an idle stream
   * @param stallTimeout how long a client may take nothing while frames wait before it is cut off
   * @param maxStreams streams open at once in this process
   * @param maxPerPrincipal streams open at once for one user or token
   */
  public record Limits(
      int bufferSize,
      int bufferBytes,
      Duration heartbeat,
      Duration stallTimeout,
      int maxStreams,
      int maxPerPrincipal) {
    public static final int DEFAULT_MAX_STREAMS = 400;
    public static final int DEFAULT_MAX_PER_PRINCIPAL = 8;
    public static final Limits DEFAULT =
        new Limits(
            4096,
            4 << 20,
            Duration.ofSeconds(15),
            Duration.ofSeconds(30),
            DEFAULT_MAX_STREAMS,
            DEFAULT_MAX_PER_PRINCIPAL);

    public Limits {
      if (bufferSize < 1 || bufferBytes < 1 || maxStreams < 1 || maxPerPrincipal < 1) {
        throw new IllegalArgumentException("stream limits must be at least 1");
      }
    }

    /** The same limits with another heartbeat interval. */
    public Limits withHeartbeat(Duration heartbeat) {
      return new Limits(
          bufferSize, bufferBytes, heartbeat, stallTimeout, maxStreams, maxPerPrincipal);
    }

    /** The same limits with other caps. */
    public Limits withCaps(int maxStreams, int maxPerPrincipal) {
      return new Limits(
          bufferSize, bufferBytes, heartbeat, stallTimeout, maxStreams, maxPerPrincipal);
    }

    private static final Field<Integer> MAX =
        cap("max", DEFAULT_MAX_STREAMS, 100_000).withDescription("streams open at once");
    private static final Field<Integer> PER_PRINCIPAL =
        cap("per-principal", DEFAULT_MAX_PER_PRINCIPAL, 10_000)
            .withDescription("streams open at once for one user or token");

    private static Field<Integer> cap(String name, int fallback, int max) {
      return Field.integer(name)
          .withDefault(fallback)
          .validateAll(
              n -> n >= 1 && n <= max,
              node -> "must be a whole number from 1 to " + max + ", found " + node);
    }

    /**
     * The limits of the {@code streams} part of the {@code http} section: {@code max} (streams per
     * process, default {@value #DEFAULT_MAX_STREAMS}) and {@code per-principal} (default {@value
     * #DEFAULT_MAX_PER_PRINCIPAL}); a missing node gives the defaults. Check it first with {@link
     * #check}.
     */
    public static Limits of(JsonNode streams) {
      return DEFAULT.withCaps(
          streams.path("max").asInt(DEFAULT_MAX_STREAMS),
          streams.path("per-principal").asInt(DEFAULT_MAX_PER_PRINCIPAL));
    }

    /**
     * Every problem of a {@code streams} section, each naming its key within it; empty when it is
     * fine.
     */
    public static List<String> check(JsonNode streams) {
      ConfigSection section = ConfigSection.of(streams);
      if (section.isAbsent()
          || !section.isMapping("must be a mapping with max and per-principal")) {
        return section.problemLines();
      }
      section.checkKeys(
          List.of(MAX, PER_PRINCIPAL), (name, known) -> "unknown key (max, per-principal)");
      section.get(MAX);
      section.get(PER_PRINCIPAL);
      return section.problemLines();
    }
  }

  private final KafkaSettings settings;
  private final String topic;
  private final Limits limits;
  private final StreamHub hub;
  private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> perPrincipal = new HashMap<>(); // guarded by this
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicInteger catchingUp = new AtomicInteger();

  public EventStreams(KafkaSettings settings, Limits limits) {
    this(settings, Topics.EVENTS, limits);
  }

  EventStreams(KafkaSettings settings, String topic, Limits limits) {
    this.settings = settings;
    this.topic = topic;
    this.limits = limits;
    this.hub = new StreamHub(settings, topic, Duration.ofSeconds(30));
    PlatformMeters.track(PlatformMeters.LIVE_STREAMS, open, Set::size);
  }

  /** Handles one stream request. */
  public void handle(RoutingContext ctx) {
    EventFilter filter;
    StreamStart start;
    int sample;
    try {
      filter = EventFilter.compile(ctx.request().getParam("filter"));
      start =
          StreamStart.parse(
              ctx.request().getHeader("Last-Event-ID"), ctx.request().getParam("from"));
      sample = sample(ctx.request().getParam("sample"));
    } catch (FilterSyntaxException | IllegalArgumentException e) {
      error(ctx, 400, e.getMessage(), false);
      return;
    }
    if ("true".equals(ctx.request().getParam("validate"))) {
      ctx.response()
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("filter", filter.source()).put("valid", true).encode());
      return;
    }
    Object who = ctx.get(ApiRoutes.PRINCIPAL_NAME);
    String principal = who == null ? "" : who.toString();
    EventStream[] self = new EventStream[1];
    self[0] =
        new EventStream(
            ctx.vertx().getOrCreateContext(),
            ctx.response(),
            filter,
            sample,
            limits,
            principal,
            dropped,
            () -> forget(self[0]));
    String refused = register(self[0]);
    if (refused != null) {
      error(ctx, 503, refused, true);
      return;
    }
    EventStream stream = self[0];
    stream.open();
    if (start instanceof StreamStart.End) {
      stream.onStop(() -> hub.leave(stream));
      hub.join(stream)
          .whenComplete(
              (joined, error) -> {
                if (error != null) {
                  stream.fail(String.valueOf(error.getMessage()));
                }
              });
    } else {
      CatchUpReader catchUp = new CatchUpReader(settings, topic, stream, start, hub);
      stream.onStop(
          () -> {
            catchUp.stop();
            hub.leave(stream);
          });
      catchingUp.incrementAndGet();
      Thread thread =
          new Thread(
              () -> {
                try {
                  catchUp.run();
                } finally {
                  catchingUp.decrementAndGet();
                }
              },
              "valentia-stream-catch-up");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** How many streams are open now. */
  public int openStreams() {
    return open.size();
  }

  /** How many events all streams together dropped for clients that did not keep up. */
  public long droppedEvents() {
    return dropped.get();
  }

  /** Readers of the topic open now: the shared one (if any stream is open) and catch-ups. */
  int openReaders() {
    return (hub.reading() ? 1 : 0) + catchingUp.get();
  }

  /** Closes every open stream and the shared reader (on shutdown). */
  public void closeAll() {
    open.forEach(EventStream::close);
    hub.close();
    PlatformMeters.untrack(PlatformMeters.LIVE_STREAMS, open);
  }

  /** Counts the stream in, or answers why it is refused. */
  private synchronized String register(EventStream stream) {
    if (open.size() >= limits.maxStreams()) {
      return "too many open streams on this server (" + limits.maxStreams() + "); try again later";
    }
    int mine = perPrincipal.getOrDefault(stream.principal(), 0);
    if (mine >= limits.maxPerPrincipal()) {
      return "you have "
          + mine
          + " live streams open, the most one user may have; close one (another tab or window)"
          + " or try again later";
    }
    perPrincipal.put(stream.principal(), mine + 1);
    open.add(stream);
    return null;
  }

  private synchronized void forget(EventStream stream) {
    if (open.remove(stream)) {
      perPrincipal.computeIfPresent(stream.principal(), (p, n) -> n <= 1 ? null : n - 1);
    }
  }

  private static int sample(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1 && n <= 100_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "sample must be a number of events per second from 1 to 100000, found \"" + value + "\"");
  }

  private static void error(RoutingContext ctx, int status, String message, boolean retry) {
    if (retry) {
      ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
