package io.valentia.eventbus;

import java.util.List;
import java.util.Locale;

/** A record or request that is not a valid event. Never retriable: the same bytes fail again. */
public final class InvalidEventException extends ValentiaException {
  private static final long serialVersionUID = 1L;

  /** Why an event was rejected; the value goes in the {@link DeadLetters#REASON} header. */
  public enum Reason {
    /** The bytes are not one JSON value. */
    NOT_JSON,
    /** JSON, but not a CloudEvents 1.0 event in structured mode. */
    NOT_CLOUDEVENT,
    /** A type in Valentia's namespace that this version does not know. */
    UNKNOWN_TYPE,
    /** A known Valentia type whose {@code data} fails its JSON Schema. */
    SCHEMA_INVALID,
    /** Valid, but the consumer's handler failed on it after every retry. */
    HANDLER_FAILED,
    /**
     * A command (on {@code valentia.control} or in {@code valentia.state.schedules}) whose sender
     * seal is missing or forged, or whose sender's role may not do what it asks.
     */
    UNAUTHORIZED;

    /** The header value: {@code not-json}, {@code schema-invalid}, ... */
    public String value() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Reason reason;
  private final List<String> problems;

  public InvalidEventException(Reason reason, List<String> problems) {
    super(reason.value() + ": " + String.join("; ", problems));
    this.reason = reason;
    this.problems = List.copyOf(problems);
  }

  public InvalidEventException(Reason reason, String problem) {
    this(reason, List.of(problem));
  }

  public Reason reason() {
    return reason;
  }

  /** Every problem found, each naming its location. */
  public List<String> problems() {
    return problems;
  }
}
