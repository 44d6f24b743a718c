package io.valentia.web.stream;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/v1/events/stream}: the live event stream as Server-Sent Events. Parameters:
 * {@code filter} (an {@link EventFilter} expression; a bad one is a 400 naming the problem) and
 * {@code from} (a {@link StreamStart}; {@code Last-Event-ID} wins over it). Each event is one
 * {@code data:} line holding the CloudEvent JSON, with an {@code id:} cursor to resume from; the
 * stream also sends {@code event: ready} once positioned, {@code event: dropped} when the client
 * fell behind, and a {@code : heartbeat} comment every {@code heartbeat}. At most {@code
 * maxStreams} streams run at once (a 503 beyond). With {@code validate=true} it only checks the
 * parameters and answers 200 with JSON instead of streaming. Thread-safe.
 */
public final class EventStreams {
  /** The stream's limits. */
  public record Limits(int bufferSize, Duration heartbeat, int maxStreams) {
    public static final Limits DEFAULT = new Limits(2000, Duration.ofSeconds(15), 64);
  }

  private final KafkaSettings settings;
  private final String topic;
  private final Limits limits;
  private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong dropped = new AtomicLong();

  public EventStreams(KafkaSettings settings, Limits limits) {
    this(settings, Topics.EVENTS, limits);
  }

  EventStreams(KafkaSettings settings, String topic, Limits limits) {
    this.settings = settings;
    this.topic = topic;
    this.limits = limits;
  }

  /** Handles one stream request. */
  public void handle(RoutingContext ctx) {
    EventFilter filter;
    StreamStart start;
    try {
      filter = EventFilter.compile(ctx.request().getParam("filter"));
      start =
          StreamStart.parse(
              ctx.request().getHeader("Last-Event-ID"), ctx.request().getParam("from"));
    } catch (FilterSyntaxException | IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    if ("true".equals(ctx.request().getParam("validate"))) {
      ctx.response()
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("filter", filter.source()).put("valid", true).encode());
      return;
    }
    if (open.size() >= limits.maxStreams()) {
      error(ctx, 503, "too many open streams (" + limits.maxStreams() + "); try again later");
      return;
    }
    EventStream[] self = new EventStream[1];
    self[0] =
        new EventStream(
            ctx.vertx().getOrCreateContext(),
            ctx.response(),
            settings,
            topic,
            filter,
            start,
            limits.bufferSize(),
            dropped,
            () -> open.remove(self[0]));
    open.add(self[0]);
    self[0].open(limits.heartbeat());
  }

  /** How many streams are open now. */
  public int openStreams() {
    return open.size();
  }

  /** How many events all streams together dropped for clients that did not keep up. */
  public long droppedEvents() {
    return dropped.get();
  }

  /** Closes every open stream (on shutdown). */
  public void closeAll() {
    open.forEach(EventStream::close);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
