package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.EventCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RedactionTest {
  private final ExperimentLoader loader = new ExperimentLoader(FaultCatalog.standard());

  private Experiment resolve(String json, Map<String, String> environment) {
    return loader.resolve(loader.parse(json, false), environment, "test");
  }

  @Test
  @DisplayName(
      "A resolved experiment hides its inline and environment secrets wherever they appear, but not its configuration")
  void hidesSecretValues() {
    Experiment experiment =
        resolve(
            """
            {"title": "t", "configuration": {"host": "db.example"},
             "secrets": {"db": {"password": "hunter22", "token": {"type": "env", "key": "TOKEN"}}},
             "method": [{"type": "action", "name": "a", "secrets": ["db"],
               "provider": {"type": "http", "url": "http://${host}/login?p=${password}&t=${token}"}}]}
            """,
            Map.of("TOKEN", "tok-123456"));
    Redaction redaction = experiment.redaction();

    assertThat(redaction.apply("said hunter22 and tok-123456 to db.example"))
        .isEqualTo("said [redacted] and [redacted] to db.example");
    JsonNode shown = experiment.shownDocument();
    assertThat(shown.toString()).doesNotContain("hunter22");
    assertThat(shown.path("secrets").path("db").path("password").asText()).isEqualTo("[redacted]");
    assertThat(shown.path("secrets").path("db").path("token").path("key").asText())
        .isEqualTo("TOKEN");
    assertThat(
            redaction
                .apply(Activities.describe(experiment.method().get(0)))
                .path("provider")
                .path("url")
                .asText())
        .isEqualTo("http://db.example/login?p=[redacted]&t=[redacted]");
  }

  @Test
  @DisplayName("A default of an environment secret is hidden in the shown document")
  void hidesDefaults() throws Exception {
    Experiment experiment =
        resolve(
            """
            {"title": "t", "secrets": {"s": {"k": {"type": "env", "key": "UNSET_X", "default": "fallback-secret"}}},
             "method": [{"type": "action", "name": "a", "provider": {"type": "process", "path": "/bin/true"}}]}
            """,
            Map.of());

    assertThat(experiment.shownDocument().toString()).doesNotContain("fallback-secret");
    assertThat(Redaction.of(List.of("x")).apply(EventCodec.MAPPER.readTree("[\"x\", 1]")))
        .hasToString("[\"[redacted]\",1]");
  }
}
