package io.valentia.probes.ceph;

import java.util.List;
import java.util.Optional;

/**
 * What {@code ceph health detail} reported.
 *
 * @param status {@code HEALTH_OK}, {@code HEALTH_WARN} or {@code HEALTH_ERR}
 * @param checks every check reported, in input order
 * @param problems lines (or JSON members) that were not the format, each naming where
 * @param summaries the summaries of the text form's first line ({@code HEALTH_WARN a; b}), one per
 *     check Ceph counted, whether or not its section follows; empty for the JSON form
 */
public record CephHealth(
    String status, List<Check> checks, List<String> problems, List<String> summaries) {
  public CephHealth {
    checks = List.copyOf(checks);
    problems = List.copyOf(problems);
    summaries = List.copyOf(summaries);
  }

  /** A reading without first-line summaries (the JSON form). */
  public CephHealth(String status, List<Check> checks, List<String> problems) {
    this(status, checks, problems, List.of());
  }

  /**
   * One check, e.g. {@code OSD_SLOW_PING_TIME_BACK}.
   *
   * @param severity {@code HEALTH_WARN} or {@code HEALTH_ERR}
   * @param summary the summary message
   * @param detail the detail messages
   */
  public record Check(String name, String severity, String summary, List<String> detail) {
    public Check {
      detail = List.copyOf(detail);
    }
  }

  /** The check of that name, if reported. */
  public Optional<Check> check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}
