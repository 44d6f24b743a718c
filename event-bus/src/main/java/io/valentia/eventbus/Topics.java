package io.valentia.eventbus;

import java.util.List;

/** Valentia's Kafka topics and how their records are keyed. */
public final class Topics {
  /**
   * Every observation and lifecycle event ({@code probe.*}, {@code chaos.*}, {@code lease.*},
   * {@code health.*}, {@code incident.*}, {@code audit}). Key: the event's subject (a host, a peer
   * pair, a process, a lease), so one subject's events stay in order.
   */
  public static final String EVENTS = "valentia.events";

  /** Commands: run or abort an experiment, halt-all, schedule changes. Key: the target. */
  public static final String CONTROL = "valentia.control";

  /** Every revision of every postmortem, append-only. Key: the postmortem id. */
  public static final String POSTMORTEMS = "valentia.postmortems";

  /** The notification outbox and delivery receipts. Key: the route or group key. */
  public static final String NOTIFICATIONS = "valentia.notifications";

  /**
   * Records that could not be parsed or validated. Key: the original key; headers {@link
   * DeadLetters} give the reason and where the record came from.
   */
  public static final String DEADLETTER = "valentia.deadletter";

  /** All of them, in the order above. */
  public static final List<String> ALL =
      List.of(EVENTS, CONTROL, POSTMORTEMS, NOTIFICATIONS, DEADLETTER);

  private Topics() {}

  /** The record key for an event on {@link #EVENTS}: its subject, else its source. */
  public static String keyOf(CloudEvent event) {
    return event.subject() != null ? event.subject() : event.source();
  }
}
