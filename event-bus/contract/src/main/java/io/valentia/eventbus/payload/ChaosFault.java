package io.valentia.eventbus.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventType;
import java.time.Instant;
import java.util.List;

/**
 * The fault journal of a chaos injector, kept on {@code valentia.control} keyed {@code fault/ID}:
 * an {@code applying} record is written, and stored by Kafka, before the fault touches anything,
 * and carries what undoes it; a {@code reverted} or {@code revert-failed} record follows when it is
 * undone. A fault whose last record is {@code applying} and whose injector process is gone was left
 * behind by a crash: the next injector on that host reverts it from {@code undo}.
 *
 * @param faultId the injection
 * @param runId the run that injected it; null when none
 * @param fault the fault's name, e.g. {@code process-pause}
 * @param state {@code applying}, {@code reverted} or {@code revert-failed}
 * @param targets what it touches ({@code kind:value})
 * @param undo what undoes it, as data (a list of steps, each with a {@code kind}); null when
 *     nothing outlives the injector (its threads or children end with it) or on later records
 * @param host the host of the injector that applied it
 * @param pid the process id of that injector
 * @param processStart when that process started, to tell a reused pid apart; null when unknown
 * @param until when it reverts itself; null when not known
 * @param detail who reverted it and why, or why reverting failed; null on {@code applying}
 */
public record ChaosFault(
    String faultId,
    String runId,
    String fault,
    String state,
    List<String> targets,
    JsonNode undo,
    String host,
    long pid,
    Instant processStart,
    Instant until,
    String detail)
    implements EventPayload {

  /** The state of a fault about to be applied. */
  public static final String APPLYING = "applying";

  /** The state of a fault that was undone. */
  public static final String REVERTED = "reverted";

  /** The state of a fault that could not be undone. */
  public static final String REVERT_FAILED = "revert-failed";

  public ChaosFault {
    targets = targets == null ? List.of() : List.copyOf(targets);
  }

  @Override
  public EventType eventType() {
    return EventType.CHAOS_FAULT;
  }
}
