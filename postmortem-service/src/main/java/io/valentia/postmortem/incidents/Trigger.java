package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventType;
import java.util.Optional;

/**
 * A detection rule that fired: what the incident it opens is called and how bad it is.
 *
 * @param rule the rule's name ({@code mtu-mismatch}, {@code frame-drops}, {@code kill-denials},
 *     {@code lease-crash}, {@code experiment-deviated})
 * @param title the incident's title
 * @param severity {@code SEV1} (worst) to {@code SEV4}
 */
public record Trigger(String rule, String title, String severity) {

  /**
   * The rule a single event fires on its own: an MTU mismatch, a lease revoked by a lessee crash, a
   * deviated chaos experiment. Bursts (dropped frames, KILL denials) need a window: {@link
   * #frameBursts} and {@link #killDenials}.
   */
  public static Optional<Trigger> single(CloudEvent event) {
    Optional<EventType> type = EventType.of(event.type());
    if (type.isEmpty() || event.data() == null) {
      return Optional.empty();
    }
    String subject = subjectOf(event);
    return switch (type.get()) {
      case PROBE_MTU_MISMATCH ->
          Optional.of(
              new Trigger(
                  "mtu-mismatch",
                  "MTU mismatch on "
                      + subject
                      + " (path MTU "
                      + event.data().path("estimatedPathMtu").asInt()
                      + ")",
                  "SEV2"));
      case LEASE_REVOKED ->
          "lessee-crash".equals(event.data().path("reason").asText())
              ? Optional.of(
                  new Trigger(
                      "lease-crash",
                      "lease " + event.data().path("leaseId").asText() + " revoked: lessee crashed",
                      "SEV3"))
              : Optional.empty();
      case CHAOS_EXPERIMENT_DEVIATED ->
          Optional.of(
              new Trigger(
                  "experiment-deviated",
                  "experiment "
                      + (event.experimentId() == null ? subject : event.experimentId())
                      + " deviated: "
                      + event.data().path("probe").asText(),
                  "SEV3"));
      default -> Optional.empty();
    };
  }

  /** {@code frameBursts} dropped-frame bursts of {@code subject} within the frame window. */
  public static Trigger frameBursts(DetectionRules rules, String subject) {
    return new Trigger(
        "frame-drops",
        rules.frameBursts()
            + " dropped-frame bursts on "
            + subject
            + " within "
            + rules.frameWindow().toSeconds()
            + " s",
        "SEV3");
  }

  /** {@code total} KILL syscall denials of {@code subject} within the KILL window. */
  public static Trigger killDenials(DetectionRules rules, String subject, long total) {
    return new Trigger(
        "kill-denials",
        total
            + " KILL syscall denials of "
            + subject
            + " within "
            + rules.killWindow().toSeconds()
            + " s",
        "SEV2");
  }

  /** Whether {@code event} counts toward the dropped-frame burst rule. */
  public static boolean isFrameBurst(CloudEvent event) {
    return EventType.PROBE_FRAME_DROPPED.type().equals(event.type()) && event.data() != null;
  }

  /** Whether {@code event} is a KILL syscall denial (ERRNO and LOG denials are not). */
  public static boolean isKillDenial(CloudEvent event) {
    return EventType.PROBE_SYSCALL_DENIED.type().equals(event.type())
        && event.data() != null
        && event.data().path("action").asText().startsWith("KILL");
  }

  /** How many denials a KILL denial event stands for (its {@code count}, at least 1). */
  public static int denials(CloudEvent event) {
    return Math.max(1, event.data().path("count").asInt(1));
  }

  /** What a rule calls the event's subject: its subject, else its source. */
  public static String subjectOf(CloudEvent event) {
    return event.subject() == null ? event.source() : event.subject();
  }
}
