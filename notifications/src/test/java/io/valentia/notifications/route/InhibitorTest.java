package io.valentia.notifications.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.config.Yaml;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InhibitorTest {
  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

  private static Alert firing(Map<String, String> labels) {
    return new Alert(labels, Map.of(), T0, null, null);
  }

  private static Alert resolved(Map<String, String> labels) {
    return new Alert(labels, Map.of(), T0, T0.plusSeconds(60), null);
  }

  private final Inhibitor hostRule =
      new Inhibitor(Yaml.config(Yaml.FORMATS_EXAMPLE).inhibitRules());

  @Test
  @DisplayName("A critical alert on a host mutes that host's warnings, not another host's")
  void criticalMutesWarningsOfItsHost() {
    Alert critical = firing(Map.of("severity", "critical", "host", "db-1"));
    Alert warning = firing(Map.of("severity", "warning", "host", "db-1", "type", "disk"));
    Alert otherHost = firing(Map.of("severity", "warning", "host", "db-2"));
    List<Alert> all = List.of(critical, warning, otherHost);

    assertThat(hostRule.inhibited(warning, all, T0)).isTrue();
    assertThat(hostRule.inhibitedBy(warning, all, T0)).contains(critical);
    assertThat(hostRule.inhibited(otherHost, all, T0)).isFalse();
    assertThat(hostRule.inhibited(critical, all, T0)).isFalse();
  }

  @Test
  @DisplayName(
      "A resolved source inhibits nothing, and an equal label missing on both sides counts as equal")
  void resolvedSourceAndMissingLabels() {
    Alert warning = firing(Map.of("severity", "warning", "host", "db-1"));
    assertThat(
            hostRule.inhibited(
                warning,
                List.of(resolved(Map.of("severity", "critical", "host", "db-1")), warning),
                T0.plusSeconds(60)))
        .isFalse();
    assertThat(
            hostRule.inhibited(
                warning,
                List.of(resolved(Map.of("severity", "critical", "host", "db-1")), warning),
                T0.plusSeconds(59)))
        .as("not yet ended")
        .isTrue();
    Alert noHostWarning = firing(Map.of("severity", "warning"));
    Alert noHostCritical = firing(Map.of("severity", "critical"));
    assertThat(hostRule.inhibited(noHostWarning, List.of(noHostCritical), T0)).isTrue();
  }

  @Test
  @DisplayName(
      "Alerts that match both sides of a rule neither inhibit themselves nor each other (Alertmanager's two-sided exclusion)")
  void twoSided() {
    Inhibitor rule =
        new Inhibitor(
            List.of(
                new InhibitRule(
                    null,
                    List.of(Matcher.parse("type=\"disk\"")),
                    List.of(Matcher.parse("type=\"disk\"")),
                    java.util.Set.of("host"))));
    Alert a = firing(Map.of("type", "disk", "host", "db-1", "mount", "/"));
    Alert b = firing(Map.of("type", "disk", "host", "db-1", "mount", "/var"));
    assertThat(rule.inhibited(a, List.of(a, b), T0)).isFalse();
    assertThat(rule.inhibited(b, List.of(a, b), T0)).isFalse();
  }

  @Test
  @DisplayName("Legacy source_match and target_match_re rules inhibit as the matcher form does")
  void legacyRule() {
    Inhibitor legacy =
        new Inhibitor(
            Yaml.config(
                    """
                    route: {receiver: r}
                    receivers: [{name: r}]
                    inhibit_rules:
                      - source_match: {alertname: NodeDown}
                        target_match_re: {alertname: "Disk.*|Cpu.*"}
                        equal: [instance]
                    """)
                .inhibitRules());
    Alert down = firing(Map.of("alertname", "NodeDown", "instance", "n1"));
    Alert disk = firing(Map.of("alertname", "DiskFull", "instance", "n1"));
    Alert memory = firing(Map.of("alertname", "MemoryHigh", "instance", "n1"));
    Alert xdisk = firing(Map.of("alertname", "XDiskFull", "instance", "n1"));
    List<Alert> all = List.of(down, disk, memory, xdisk);
    assertThat(legacy.inhibited(disk, all, T0)).isTrue();
    assertThat(legacy.inhibited(memory, all, T0)).isFalse();
    assertThat(legacy.inhibited(xdisk, all, T0)).as("anchored").isFalse();
  }
}
