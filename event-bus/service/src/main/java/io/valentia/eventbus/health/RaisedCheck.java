package io.valentia.eventbus.health;

import io.valentia.eventbus.payload.HealthChanged;
import java.time.Instant;
import java.util.List;

/**
 * One source's part of a raised health check: the value of {@link
 * io.valentia.eventbus.Topics#STATE_HEALTH} under {@link #key(String, String) CHECK|source}. A
 * source clearing its check removes the entry (a tombstone).
 *
 * @param check the check's name, e.g. {@code MTU_MISMATCH}
 * @param source the source that raised it (the event's source), e.g. {@code /probes/mtu/osd-12}
 * @param status {@code HEALTH_WARN} or {@code HEALTH_ERR}
 * @param summary one line for people
 * @param detail detail lines; empty when none
 * @param count how many things the check counts
 * @param since when this source raised it, unchanged while it stays raised
 * @param changed when this source last changed it
 */
public record RaisedCheck(
    String check,
    String source,
    String status,
    String summary,
    List<String> detail,
    int count,
    Instant since,
    Instant changed) {

  public RaisedCheck {
    detail = detail == null ? List.of() : List.copyOf(detail);
  }

  /** The state key of {@code check} as raised by {@code source}. */
  public static String key(String check, String source) {
    return check + "|" + source;
  }

  /** The state key of this part. */
  public String key() {
    return key(check, source);
  }

  /**
   * The part {@code change} from {@code source} leaves at {@code now}; null when it clears it.
   *
   * @param before the part as it stood, or null
   */
  public static RaisedCheck after(
      RaisedCheck before, String source, HealthChanged change, Instant now) {
    if (HealthReport.OK.equals(change.status())) {
      return null;
    }
    return new RaisedCheck(
        change.check(),
        source,
        change.status(),
        change.summary() == null ? "" : change.summary(),
        change.detail() == null ? List.of() : change.detail(),
        change.count(),
        before == null ? now : before.since(),
        now);
  }
}
