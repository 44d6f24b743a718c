package io.valentia.eventbus.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The health report: the overall status is the worst check")
class HealthReportTest {
  private static final KafkaStatus KAFKA = new KafkaStatus("localhost:9092", true, true, Map.of());

  @Test
  @DisplayName("A report without checks is HEALTH_OK.")
  void noChecksIsOk() {
    assertThat(HealthReport.of(Map.of(), Map.of(), KAFKA).status()).isEqualTo(HealthReport.OK);
  }

  @Test
  @DisplayName("A report with only warnings is HEALTH_WARN.")
  void warningsAreWarn() {
    HealthReport report =
        HealthReport.of(
            Map.of(
                "A", check(HealthReport.WARN),
                "B", check(HealthReport.WARN)),
            Map.of(),
            KAFKA);

    assertThat(report.status()).isEqualTo(HealthReport.WARN);
  }

  @Test
  @DisplayName("One error among warnings makes the report HEALTH_ERR, whatever the order.")
  void oneErrorIsErr() {
    for (String errName : List.of("A", "M", "Z")) {
      Map<String, HealthCheck> checks =
          new HashMap<>(Map.of("B", check(HealthReport.WARN), "Y", check(HealthReport.WARN)));
      checks.put(errName, check(HealthReport.ERR));

      assertThat(HealthReport.of(checks, Map.of(), KAFKA).status())
          .as("error check named %s", errName)
          .isEqualTo(HealthReport.ERR);
    }
  }

  @ParameterizedTest(name = "worse({0}, {1}) = {2}")
  @CsvSource({
    "HEALTH_OK, HEALTH_OK, HEALTH_OK",
    "HEALTH_OK, HEALTH_WARN, HEALTH_WARN",
    "HEALTH_WARN, HEALTH_OK, HEALTH_WARN",
    "HEALTH_OK, HEALTH_ERR, HEALTH_ERR",
    "HEALTH_ERR, HEALTH_OK, HEALTH_ERR",
    "HEALTH_WARN, HEALTH_ERR, HEALTH_ERR",
    "HEALTH_ERR, HEALTH_WARN, HEALTH_ERR",
    "HEALTH_ERR, HEALTH_ERR, HEALTH_ERR"
  })
  @DisplayName("worse picks the more severe of two statuses.")
  void worsePicksTheMoreSevere(String a, String b, String expected) {
    assertThat(HealthReport.worse(a, b)).isEqualTo(expected);
  }

  @Test
  @DisplayName("The report keeps the checks, services and Kafka status it was given.")
  void keepsItsParts() {
    HealthCheck warn = check(HealthReport.WARN);
    ServiceStatus web = ServiceStatus.running("http://127.0.0.1:8080");

    HealthReport report = HealthReport.of(Map.of("W", warn), Map.of("web", web), KAFKA);

    assertThat(report.checks()).containsExactly(Map.entry("W", warn));
    assertThat(report.services()).containsExactly(Map.entry("web", web));
    assertThat(report.kafka()).isSameAs(KAFKA);
    assertThat(web.state()).isEqualTo("running");
  }

  private static HealthCheck check(String severity) {
    return new HealthCheck(severity, severity + " summary", List.of());
  }
}
