package io.valentia.postmortem.incidents;

import java.time.Instant;
import java.util.List;

/**
 * An incident as it stands now: the value of {@code valentia.state.incidents} (key: the incident
 * id) and of the detector's own store, as JSON. Immutable.
 *
 * @param id {@code inc-<uuid>}
 * @param title a short title
 * @param status one of {@link Incident#STATUSES}
 * @param severity {@code SEV1} (worst) to {@code SEV4}
 * @param rule the detection rule that opened it
 * @param opened when it opened (the time of the event that opened it)
 * @param lastActivity the time of its latest evidence or status change
 * @param subjects the subjects of its evidence, in the order they joined
 * @param experiments the experiments of its evidence, in the order they joined
 * @param evidence ids of the events that joined it, at most {@link Incident#MAX_EVIDENCE}
 */
public record IncidentState(
    String id,
    String title,
    String status,
    String severity,
    String rule,
    Instant opened,
    Instant lastActivity,
    List<String> subjects,
    List<String> experiments,
    List<String> evidence) {

  public IncidentState {
    subjects = subjects == null ? List.of() : List.copyOf(subjects);
    experiments = experiments == null ? List.of() : List.copyOf(experiments);
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
  }

  /** Whether it still takes new evidence (open or mitigated). */
  public boolean active() {
    return "open".equals(status) || "mitigated".equals(status);
  }
}
