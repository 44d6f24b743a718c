package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.safety.ProviderAllowList;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The process provider alone, running real processes (as the test's own user). */
class ProcessProviderTest {
  private static final ProviderPolicy POLICY =
      new ProviderPolicy(
          new ProviderAllowList(List.of("/bin/sh", "/usr/bin/env"), List.of()),
          ProviderPolicy.DEFAULT_USER,
          Duration.ofSeconds(20));

  private final List<CloudEvent> events = new CopyOnWriteArrayList<>();
  private final ProcessProvider provider =
      new ProcessProvider(() -> POLICY, new ProcessLauncher(POLICY, false));
  private final RunEventPublisher publisher =
      new RunEventPublisher(
          events::add,
          "test",
          "run-1",
          new Experiment("t", null, List.of(), null, List.of(), List.of(), null),
          new ExperimentRunner.RunOptions("run-1", Duration.ZERO, "alice", "operator"));

  private static Activity activity(String type, Provider.Process process) {
    return new Activity(
        "p",
        type,
        process,
        Duration.ZERO,
        Duration.ZERO,
        false,
        null,
        List.of(),
        "method[0]",
        false);
  }

  private JsonNode run(String type, Provider.Process process, JsonNode toleranceValue) {
    return provider.run(process, toleranceValue, activity(type, process), publisher);
  }

  @Test
  @DisplayName(
      "A process gets only PATH, its own env and a tolerance value: nothing of the injector's environment")
  void scrubsTheEnvironment() throws Exception {
    JsonNode out =
        run(
            "probe",
            new Provider.Process("/usr/bin/env", List.of(), null, Map.of("LANG", "C")),
            EventCodec.MAPPER.readTree("{\"ok\": true}"));

    assertThat(out.path("status").asInt()).isZero();
    assertThat(out.path("stdout").asText().lines().toList())
        .containsExactlyInAnyOrder(
            "PATH=" + ProcessLauncher.PATH, "LANG=C", "CHAOS_TOLERANCE_VALUE={\"ok\":true}");
  }

  @Test
  @DisplayName(
      "An action that exits non-zero fails with its status and error output; a probe gives them to its tolerance")
  void exitStatus() {
    Provider.Process failing =
        new Provider.Process("/bin/sh", List.of("-c", "echo broken >&2; exit 3"), null, Map.of());

    assertThatThrownBy(() -> run("action", failing, null))
        .isInstanceOf(ActivityFailedException.class)
        .hasMessage("/bin/sh exited with 3: broken");
    JsonNode probe = run("probe", failing, null);
    assertThat(probe.path("status").asInt()).isEqualTo(3);
    assertThat(probe.path("stderr").asText()).isEqualTo("broken\n");
  }

  @Test
  @DisplayName("A process that outlives its timeout is killed and fails")
  void timeout() {
    Provider.Process sleeper =
        new Provider.Process(
            "/bin/sh", List.of("-c", "sleep 60"), Duration.ofMillis(300), Map.of());

    assertThatThrownBy(() -> run("action", sleeper, null))
        .isInstanceOf(ActivityFailedException.class)
        .hasMessage("/bin/sh did not end within 0.3 s and was killed");
  }

  @Test
  @DisplayName(
      "An executable off the allow-list is refused before it runs, and the refusal is audited as denied for whoever started the run")
  void refusal() {
    Provider.Process off = new Provider.Process("/bin/sleep", List.of("1"), null, Map.of());

    assertThatThrownBy(() -> run("action", off, null))
        .isInstanceOf(ActivityFailedException.class)
        .hasMessageContaining("/bin/sleep is not on the allow-list of executables");
    assertThat(events).hasSize(1);
    CloudEvent audit = events.get(0);
    assertThat(audit.type()).isEqualTo(EventType.AUDIT.type());
    assertThat(audit.subject()).isEqualTo("alice");
    assertThat(audit.experimentId()).isEqualTo("run-1");
    assertThat(audit.data().path("action").asText()).isEqualTo("experiment.process");
    assertThat(audit.data().path("target").asText()).isEqualTo("/bin/sleep");
    assertThat(audit.data().path("outcome").asText()).isEqualTo("denied");
  }
}
