package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.chaos.faults.FaultCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExperimentLoaderTest {
  private final ExperimentLoader loader = new ExperimentLoader(FaultCatalog.standard());

  private static Path fixture(String name) {
    return Path.of("src/test/resources/experiments", name);
  }

  @Test
  @DisplayName(
      "Chaos Toolkit's own TLS tutorial experiment reads completely, and its python probes are reported as unsupported by name")
  void readsTheChaosToolkitTutorial() throws Exception {
    ExperimentLoader.Loaded loaded = loader.load(fixture("tls-certificate.json"));

    assertThat(loaded.valid()).isFalse();
    assertThat(loaded.problems())
        .extracting(ExperimentProblem::path)
        .containsExactly(
            "steady-state-hypothesis.probes[0].provider",
            "steady-state-hypothesis.probes[1].provider");
    assertThat(loaded.problems().get(0).message())
        .contains(
            "'the-astre-service-must-be-running'",
            "python provider",
            "os.path.exists",
            "will not run");
    assertThat(loaded.problems().get(0).location()).isEqualTo("13:29");
  }

  @Test
  @DisplayName(
      "A YAML experiment using every feature is valid: env configuration, secrets, every tolerance, pauses, background, ref, faults and event probes")
  void everyFeature() throws Exception {
    ExperimentLoader.Loaded loaded = loader.load(fixture("every-feature.yaml"));

    assertThat(loaded.problems()).isEmpty();
    Experiment experiment = loaded.experiment();
    assertThat(experiment.title()).startsWith("The frame loop");
    assertThat(experiment.tags()).containsExactly("frames", "cpu");
    assertThat(experiment.hypothesis().probes()).hasSize(6);
    assertThat(experiment.method())
        .extracting(Activity::name)
        .containsExactly("pause-the-neighbour", "starve-the-batch-cgroup", "service-answers");
    assertThat(experiment.method().get(0).background()).isTrue();
    assertThat(experiment.method().get(1).pauseBefore().toMillis()).isEqualTo(500);
    assertThat(experiment.method().get(1).pauseAfter().toSeconds()).isEqualTo(2);
    assertThat(experiment.method().get(2).provider()).isInstanceOf(Provider.Http.class);
    assertThat(experiment.method().get(2).path()).isEqualTo("method[2]");
  }

  @Test
  @DisplayName(
      "tolerate_failure marks an activity as allowed to fail, and anything but true or false is a problem")
  void tolerateFailure() {
    ExperimentLoader.Loaded loaded =
        loader.parse(
            """
            {"title": "t", "method": [
              {"type": "action", "name": "may-fail", "tolerate_failure": true,
               "provider": {"type": "process", "path": "false"}},
              {"type": "action", "name": "must-not-fail", "provider": {"type": "process", "path": "true"}}]}
            """,
            false);
    assertThat(loaded.problems()).isEmpty();
    assertThat(loaded.experiment().method())
        .extracting(Activity::toleratesFailure)
        .containsExactly(true, false);

    ExperimentLoader.Loaded wrong =
        loader.parse(
            """
            {"title": "t", "method": [
              {"type": "action", "name": "may-fail", "tolerate_failure": "yes",
               "provider": {"type": "process", "path": "false"}}]}
            """,
            false);
    assertThat(wrong.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("method[0].tolerate_failure");
              assertThat(p.message()).isEqualTo("must be true or false");
            });
  }

  @Test
  @DisplayName(
      "Resolving substitutes configuration from the environment, defaults and secrets, keeping JSON types")
  void resolvesConfiguration() throws Exception {
    ExperimentLoader.Loaded loaded = loader.load(fixture("every-feature.yaml"));

    Experiment experiment =
        loader.resolve(
            loaded,
            Map.of(
                "VALENTIA_TEST_SERVICE_URL", "http://10.1.2.3:9000", "VALENTIA_TEST_QUOTA", "35"),
            "every-feature.yaml");

    Provider.Http http = (Provider.Http) experiment.hypothesis().probes().get(0).provider();
    assertThat(http.url()).isEqualTo("http://10.1.2.3:9000/health");
    assertThat(http.headers()).containsEntry("Authorization", "Bearer not-a-secret");
    assertThat(http.timeout().toSeconds()).isEqualTo(3);
    Provider.Fault pause = (Provider.Fault) experiment.method().get(0).provider();
    assertThat(pause.arguments().get("pid").isNumber()).isTrue();
    assertThat(pause.arguments().get("pid").asInt()).isEqualTo(4242);
    Provider.Fault quota = (Provider.Fault) experiment.method().get(1).provider();
    assertThat(quota.arguments().get("percent").asInt()).isEqualTo(35);
  }

  @Test
  @DisplayName(
      "A broken experiment gets every problem listed with its line, column and path, and nothing else")
  void everyProblemWithItsLocation() throws Exception {
    ExperimentLoader.Loaded loaded = loader.load(fixture("broken.yaml"));

    assertThat(loaded.experiment()).isNull();
    List<String> lines = loaded.problems().stream().map(ExperimentProblem::toString).toList();
    assertThat(lines)
        .containsExactly(
            "1:8: title: must be a non-empty string",
            "2:7: tags: must be a list of strings",
            "6:7: steady-state-hypothesis.probes[0]: a steady-state probe needs a tolerance",
            "10:14: steady-state-hypothesis.probes[0].provider.url: must be an http:// or https:// URL, found ftp://example.org",
            "14:9: steady-state-hypothesis.probes[1].tolerance: range: the low bound is above the high bound",
            "26:9: method[0].provider.arguments: pid: required",
            "26:9: method[0].provider.arguments: duration: must be a positive duration such as 30s, 500ms or 2m, found \"forever\"",
            "31:14: method[1].provider.fault: unknown fault melt (known: network-partition, network-loss, network-latency, mtu, process-pause, process-kill, cpu-quota, cpu-hog, memory-hog, seccomp, syscall-inject, lease-revoke, kafka-outage)",
            "35:7: method[2].provider: activity 'uses-python' needs the python provider (chaosk8s.pod.probes.pods_in_phase), which is not supported: Valentia runs http, process and valentia providers; the experiment will not run",
            "38:11: method[3].type: must be action or probe, found actoin",
            "43:10: method[4].ref: no activity is named nowhere",
            "48:14: rollbacks[0].pauses.after: must be a number of seconds, found \"soon\"");
  }

  @Test
  @DisplayName("Text that is not JSON is one problem at the place the parser stopped")
  void syntaxError() {
    ExperimentLoader.Loaded loaded = loader.parse("{\"title\": \"x\",\n \"method\": [ }", false);

    assertThat(loaded.problems()).hasSize(1);
    assertThat(loaded.problems().get(0).location()).startsWith("2:");
    assertThat(loaded.problems().get(0).message()).startsWith("not valid JSON");
  }

  @Test
  @DisplayName(
      "An unset environment variable without a default stops the run before anything happens, naming the variable")
  void unsetVariable() {
    ExperimentLoader.Loaded loaded =
        loader.parse(
            """
            {"title": "t", "configuration": {"target": {"type": "env", "key": "VALENTIA_NOT_SET_ANYWHERE"}},
             "method": [{"type": "action", "name": "a", "provider": {"type": "process", "path": "echo", "arguments": "${target}"}}]}
            """,
            false);
    assertThat(loaded.valid()).isTrue();

    assertThatThrownBy(() -> loader.resolve(loaded, Map.of(), "t.json"))
        .isInstanceOf(InvalidExperimentException.class)
        .satisfies(
            e ->
                assertThat(((InvalidExperimentException) e).problems())
                    .extracting(ExperimentProblem::message)
                    .contains(
                        "environment variable VALENTIA_NOT_SET_ANYWHERE is not set and there is no default",
                        "${target} has no value in configuration or secrets"));
  }

  @Test
  @DisplayName("A fault in a probe, or an event probe in an action, is reported")
  void faultsAreActionsAndQueriesAreProbes() {
    ExperimentLoader.Loaded loaded =
        loader.parse(
            """
            {"title": "t", "method": [
              {"type": "probe", "name": "p", "provider": {"type": "valentia", "fault": "cpu-hog", "arguments": {"duration": "1s"}}},
              {"type": "action", "name": "a", "provider": {"type": "valentia", "probe": "event-count", "arguments": {"type": "x"}}}]}
            """,
            false);

    assertThat(loaded.problems())
        .extracting(ExperimentProblem::message)
        .containsExactly(
            "a fault is injected by an action, not a probe",
            "an event-query probe is a probe, not an action");
  }

  @Test
  @DisplayName(
      "A process provider's env is a mapping of variable names to strings or numbers, and a process without a timeout leaves it to the configuration")
  void processEnv() {
    ExperimentLoader.Loaded good =
        loader.parse(
            """
            {"title": "t", "method": [{"type": "action", "name": "a",
              "provider": {"type": "process", "path": "/bin/true", "env": {"LANG": "C", "N": 3}}}]}
            """,
            false);
    ExperimentLoader.Loaded bad =
        loader.parse(
            """
            {"title": "t", "method": [
              {"type": "action", "name": "a", "provider": {"type": "process", "path": "/bin/true", "env": ["LANG=C"]}},
              {"type": "action", "name": "b", "provider": {"type": "process", "path": "/bin/true",
                "env": {"1BAD": "x", "OK": {"nested": 1}}}}]}
            """,
            false);

    Provider.Process process = (Provider.Process) good.experiment().method().get(0).provider();
    assertThat(process.env()).containsExactly(Map.entry("LANG", "C"), Map.entry("N", "3"));
    assertThat(process.timeout()).isNull();
    assertThat(bad.problems())
        .extracting(ExperimentProblem::path, ExperimentProblem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "method[0].provider.env", "must be a mapping of variable names to values"),
            org.assertj.core.groups.Tuple.tuple(
                "method[1].provider.env.1BAD", "not a variable name"),
            org.assertj.core.groups.Tuple.tuple(
                "method[1].provider.env.OK", "must be a string or a number"));
  }
}
