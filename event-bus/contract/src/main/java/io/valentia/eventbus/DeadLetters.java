package io.valentia.eventbus;

/**
 * Headers on a {@link Topics#DEADLETTER} record. The record's key and value are the original
 * record's, byte for byte; the original headers are kept too.
 */
public final class DeadLetters {
  /** Why the record was rejected: one of {@link InvalidEventException.Reason}'s values. */
  public static final String REASON = "valentia.dlq.reason";

  /** A human-readable description of the problem (the parse or validation error). */
  public static final String ERROR = "valentia.dlq.error";

  /** The topic the record was read from. */
  public static final String TOPIC = "valentia.dlq.topic";

  /** The partition it was read from, in decimal. */
  public static final String PARTITION = "valentia.dlq.partition";

  /** Its offset, in decimal. */
  public static final String OFFSET = "valentia.dlq.offset";

  /** The consumer group that rejected it. */
  public static final String GROUP = "valentia.dlq.group";

  /** When it was dead-lettered (ISO-8601). */
  public static final String TIME = "valentia.dlq.time";

  private DeadLetters() {}
}
