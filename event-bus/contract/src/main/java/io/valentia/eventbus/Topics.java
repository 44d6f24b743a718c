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

  /** The history topics, in the order above. */
  public static final List<String> LOGS =
      List.of(EVENTS, CONTROL, POSTMORTEMS, NOTIFICATIONS, DEADLETTER);

  // ---- state topics: compacted, keyed by the entity, written by the process that owns it ----

  /** Incidents as they stand now. Key: the incident id; value: the incident. */
  public static final String STATE_INCIDENTS = "valentia.state.incidents";

  /** Leases granted and not yet ended. Key: the lease id. */
  public static final String STATE_LEASES = "valentia.state.leases";

  /** The fault journal: faults applied and not yet reverted. Key: the fault id. */
  public static final String STATE_FAULTS = "valentia.state.faults";

  /** Schedules and their latest firings, and the halt switch. Key: the schedule id. */
  public static final String STATE_SCHEDULES = "valentia.state.schedules";

  /** Health mutes in force. Key: the check name. */
  public static final String STATE_MUTES = "valentia.state.mutes";

  /** Health checks raised by probes. Key: {@code CHECK|source}. */
  public static final String STATE_HEALTH = "valentia.state.health";

  /** API tokens (hashes only). Key: the token id. */
  public static final String STATE_TOKENS = "valentia.state.tokens";

  /** Browser sessions (hashes of the session ids only). Key: the hash. */
  public static final String STATE_SESSIONS = "valentia.state.sessions";

  /**
   * Postmortem heads: the latest revision of each postmortem. Every revision still goes to {@link
   * #POSTMORTEMS}. Key: the postmortem id.
   */
  public static final String STATE_POSTMORTEMS = "valentia.state.postmortems";

  /** Notification silences, in force or expired. Key: the silence id. */
  public static final String STATE_SILENCES = "valentia.state.silences";

  /**
   * The notification outbox: notifications recorded and not yet delivered (a tombstone once the
   * receiver answered 2xx or the notification was given up). Key: the notification id.
   */
  public static final String STATE_OUTBOX = "valentia.state.outbox";

  /**
   * Notification groups: the alerts of each group and what was last sent for it. Key: the route's
   * receiver and the group key.
   */
  public static final String STATE_NOTIFICATION_GROUPS = "valentia.state.notification-groups";

  /**
   * Which state tables were built from the history once (the migration from a release that had no
   * state topics). Key: the table's topic.
   */
  public static final String STATE_MIGRATIONS = "valentia.state.migrations";

  /** The state topics. */
  public static final List<String> STATES =
      List.of(
          STATE_INCIDENTS,
          STATE_LEASES,
          STATE_FAULTS,
          STATE_SCHEDULES,
          STATE_MUTES,
          STATE_HEALTH,
          STATE_TOKENS,
          STATE_SESSIONS,
          STATE_POSTMORTEMS,
          STATE_SILENCES,
          STATE_OUTBOX,
          STATE_NOTIFICATION_GROUPS,
          STATE_MIGRATIONS);

  /** Every topic Valentia creates: the history topics, then the state topics. */
  public static final List<String> ALL = concat(LOGS, STATES);

  private Topics() {}

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** Whether {@code topic} is one of the compacted state topics. */
  public static boolean isState(String topic) {
    return STATES.contains(topic);
  }

  /** The record key for an event on {@link #EVENTS}: its subject, else its source. */
  public static String keyOf(CloudEvent event) {
    return event.subject() != null ? event.subject() : event.source();
  }
}
