package io.valentia.notifications.silence;

import io.valentia.notifications.route.Matcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A silence, as Alertmanager's: while it is active, alerts matching every one of its matchers are
 * not notified. It is active from {@code startsAt} (inclusive) until {@code endsAt} (exclusive);
 * pending before, expired after. Silences are kept after they expire, for the record.
 *
 * <p>Serializes with Jackson (a matcher as its text, e.g. {@code
 * "severity=~\"critical|warning\""}).
 *
 * @param id unique; chosen by whoever creates the silence
 * @param matchers all must match an alert's labels for the silence to mute it
 * @param startsAt when it takes effect
 * @param endsAt when it stops taking effect
 * @param createdBy who created it
 * @param comment why
 * @param updatedAt when it was last changed; may be null
 */
public record Silence(
    String id,
    List<Matcher> matchers,
    Instant startsAt,
    Instant endsAt,
    String createdBy,
    String comment,
    Instant updatedAt) {

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /** Where a silence is at an instant. */
  public enum State {
    /** Not yet started. */
    PENDING,
    /** In effect. */
    ACTIVE,
    /** Ended (or expired by hand). */
    EXPIRED
  }

  public Silence {
    matchers = matchers == null ? List.of() : List.copyOf(matchers);
  }

  /**
   * What is wrong with this silence (Alertmanager's {@code validateSilence} and the API's required
   * fields); empty when it is valid.
   */
  public List<String> validate() {
    List<String> problems = new ArrayList<>();
    if (id == null || id.isBlank()) {
      problems.add("id: must not be empty");
    }
    if (matchers.isEmpty()) {
      problems.add("matchers: at least one matcher is required");
    } else {
      for (int i = 0; i < matchers.size(); i++) {
        if (!LABEL_NAME.matcher(matchers.get(i).name()).matches()) {
          problems.add(
              "matchers[" + i + "]: invalid label name \"" + matchers.get(i).name() + "\"");
        }
      }
      // Alertmanager's matchesEmpty: only = and =~ count; a negative matcher says what to spare.
      if (matchers.stream().allMatch(Silence::matchesEmpty)) {
        problems.add(
            "matchers: at least one matcher must not match the empty string (else it would"
                + " silence every alert)");
      }
    }
    if (startsAt == null) {
      problems.add("startsAt: required");
    }
    if (endsAt == null) {
      problems.add("endsAt: required");
    }
    if (startsAt != null && endsAt != null && !endsAt.isAfter(startsAt)) {
      problems.add("endsAt: must be after startsAt");
    }
    if (createdBy == null || createdBy.isBlank()) {
      problems.add("createdBy: must not be empty");
    }
    if (comment == null || comment.isBlank()) {
      problems.add("comment: must not be empty");
    }
    return problems;
  }

  private static boolean matchesEmpty(Matcher m) {
    return switch (m.type()) {
      case EQUAL, REGEX -> m.matchesValue("");
      case NOT_EQUAL, NOT_REGEX -> false;
    };
  }

  /**
   * {@link State#PENDING} before {@code startsAt}, {@link State#EXPIRED} from {@code endsAt} on (so
   * {@link Silences#expire} takes effect at the very instant), {@link State#ACTIVE} between. A
   * silence without both times is never in force.
   */
  public State state(Instant now) {
    if (startsAt == null || endsAt == null) {
      return State.EXPIRED; // not valid: never in force
    }
    if (now.isBefore(startsAt)) {
      return State.PENDING;
    }
    if (!now.isBefore(endsAt)) {
      return State.EXPIRED;
    }
    return State.ACTIVE;
  }

  /** Whether every matcher matches {@code labels} (whatever the silence's state). */
  public boolean matches(Map<String, String> labels) {
    return !matchers.isEmpty() && Matcher.all(matchers, labels);
  }

  /** Whether it is active at {@code now} and matches {@code labels}. */
  public boolean mutes(Map<String, String> labels, Instant now) {
    return state(now) == State.ACTIVE && matches(labels);
  }

  /** This silence with {@code endsAt} and {@code updatedAt} replaced. */
  public Silence withEndsAt(Instant endsAt, Instant updatedAt) {
    return new Silence(id, matchers, startsAt, endsAt, createdBy, comment, updatedAt);
  }
}
