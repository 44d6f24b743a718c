package io.valentia.postmortem.incidents;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One incident while the detector changes it. Mutable; owned by one thread (the detector's caller).
 * {@link #state()} and {@link #of(IncidentState)} convert to and from the form that is stored.
 *
 * <p>Lifecycle: {@code open} → {@code mitigated} → {@code resolved} → {@code in-review} → {@code
 * closed}; a step may be skipped forward, never taken back, except that a mitigated or resolved
 * incident whose trouble returns is open again.
 */
public final class Incident {
  /** The lifecycle, in order. */
  public static final List<String> STATUSES =
      List.of("open", "mitigated", "resolved", "in-review", "closed");

  /** Evidence ids kept per incident; later events still extend its activity. */
  public static final int MAX_EVIDENCE = 1000;

  private final String id;
  private final String rule;
  private final Instant opened;
  private String title;
  private String severity;
  private String status = "open";
  private Instant lastActivity;
  private final List<String> evidence = new ArrayList<>();
  private final List<String> subjects = new ArrayList<>();
  private final List<String> experiments = new ArrayList<>();

  Incident(String id, String rule, String title, String severity, Instant opened) {
    this.id = id;
    this.rule = rule;
    this.title = title;
    this.severity = severity;
    this.opened = opened;
    this.lastActivity = opened;
  }

  /** The incident {@code state} describes, to change. */
  static Incident of(IncidentState state) {
    Incident incident =
        new Incident(state.id(), state.rule(), state.title(), state.severity(), state.opened());
    incident.status = state.status();
    incident.lastActivity = state.lastActivity();
    incident.evidence.addAll(state.evidence());
    incident.subjects.addAll(state.subjects());
    incident.experiments.addAll(state.experiments());
    return incident;
  }

  /** What the incident is now, to store and show. */
  public IncidentState state() {
    return new IncidentState(
        id, title, status, severity, rule, opened, lastActivity, subjects, experiments, evidence);
  }

  /**
   * Why moving incident {@code id} from {@code from} to {@code next} is refused; empty when the
   * lifecycle allows it.
   */
  public static java.util.Optional<String> refusal(String id, String from, String next) {
    if (canMove(from, next)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "incident "
            + id
            + " is "
            + from
            + " and cannot become "
            + next
            + " (lifecycle: "
            + String.join(" -> ", STATUSES)
            + ")");
  }

  /** Whether moving to {@code next} follows the lifecycle. */
  public static boolean canMove(String from, String next) {
    int a = STATUSES.indexOf(from);
    int b = STATUSES.indexOf(next);
    if (a < 0 || b < 0) {
      return false;
    }
    return b > a || (next.equals("open") && (from.equals("mitigated") || from.equals("resolved")));
  }

  void move(String next, Instant at) {
    status = next;
    lastActivity = at;
  }

  void restore(String status, String severity, String title, Instant at) {
    this.status = status;
    this.severity = severity;
    this.title = title;
    if (at.isAfter(lastActivity)) {
      lastActivity = at;
    }
  }

  void join(String eventId, String subject, String experimentId, Instant at) {
    if (evidence.size() < MAX_EVIDENCE) {
      evidence.add(eventId);
    }
    if (subject != null && !subjects.contains(subject)) {
      subjects.add(subject);
    }
    if (experimentId != null && !experiments.contains(experimentId)) {
      experiments.add(experimentId);
    }
    if (at.isAfter(lastActivity)) {
      lastActivity = at;
    }
  }

  void raise(String severity) {
    if (severity.compareTo(this.severity) < 0) {
      this.severity = severity; // SEV1 is worst
    }
  }

  public String id() {
    return id;
  }

  public String rule() {
    return rule;
  }

  public String title() {
    return title;
  }

  public String severity() {
    return severity;
  }

  public String status() {
    return status;
  }

  public Instant opened() {
    return opened;
  }

  public Instant lastActivity() {
    return lastActivity;
  }

  public List<String> evidence() {
    return List.copyOf(evidence);
  }

  public List<String> subjects() {
    return List.copyOf(subjects);
  }

  public List<String> experiments() {
    return List.copyOf(experiments);
  }

  /** Whether the incident still takes new evidence (not yet resolved or later). */
  public boolean active() {
    return status.equals("open") || status.equals("mitigated");
  }
}
