package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProviderAllowListTest {

  private static ChaosConfig config(String json) throws Exception {
    return ChaosConfig.read(EventCodec.MAPPER.readTree(json));
  }

  @Test
  @DisplayName(
      "By default the process and http providers may call nothing, processes run as nobody, and a call without its own timeout gets 30 s")
  void closedByDefault() {
    ProviderPolicy providers = ChaosConfig.defaults().policy().providers();

    assertThat(providers.allowList().executableRefusal("/bin/true"))
        .contains("/bin/true is not on the allow-list of executables (chaos.allow.executables");
    assertThat(providers.allowList().urlRefusal("http://localhost:8080/health"))
        .contains("is not on the allow-list of URL prefixes (chaos.allow.urls");
    assertThat(providers.processUser()).isEqualTo("nobody");
    assertThat(providers.timeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  @DisplayName(
      "The chaos section lists executables and URL prefixes under allow, with the process user and the provider timeout")
  void reads() throws Exception {
    ProviderPolicy providers =
        config(
                """
                {"allow": {"pids": ["*"], "executables": ["/usr/bin/curl", "/opt/checks/../bin/probe"],
                  "urls": ["http://localhost:9090/api/", "https://status.example.com"]},
                 "processUser": "chaos-runner", "providerTimeout": "5s"}
                """)
            .policy()
            .providers();

    assertThat(providers.allowList().executables())
        .containsExactly("/usr/bin/curl", "/opt/bin/probe");
    assertThat(providers.allowList().executableRefusal("/usr/bin/curl")).isNull();
    assertThat(providers.allowList().executableRefusal("/opt/bin/probe")).isNull();
    assertThat(providers.allowList().urlRefusal("http://localhost:9090/api/v1/health")).isNull();
    assertThat(providers.allowList().urlRefusal("https://STATUS.example.com/anything")).isNull();
    assertThat(providers.processUser()).isEqualTo("chaos-runner");
    assertThat(providers.timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName(
      "Every bad executable, URL prefix, process user and timeout of the chaos section is reported at once")
  void everyProblem() throws Exception {
    List<String> problems = new ArrayList<>();
    ChaosConfig.read(
        EventCodec.MAPPER.readTree(
            """
            {"allow": {"executables": ["curl", "/usr/bin/*", 7], "urls": ["ftp://files.example.com/", "localhost:80"]},
             "processUser": "Robert'); DROP", "providerTimeout": "never"}
            """),
        problems);

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "allow.executables: every entry must be a string, found 7",
            "allow.executables[0]: must be an absolute path (e.g. /usr/bin/curl), found curl",
            "allow.executables[1]: must be one executable's path, not a pattern, found /usr/bin/*",
            "allow.urls[0]: must be an http:// or https:// URL prefix, found ftp://files.example.com/",
            "allow.urls[1]: must be an http:// or https:// URL prefix, found localhost:80",
            "processUser: must be a user name or a numeric uid, found \"Robert'); DROP\"",
            "providerTimeout: must be a positive duration such as 30s, found \"never\"");
  }

  @Test
  @DisplayName(
      "An executable is allowed by its exact absolute path only: a relative name, a path that climbs out with .., or a shell that is not listed are refused")
  void executablesExactly() {
    ProviderAllowList list = new ProviderAllowList(List.of("/usr/bin/curl"), List.of());

    assertThat(list.executableRefusal("curl")).contains("absolute path", "chaos.allow.executables");
    assertThat(list.executableRefusal("/usr/bin/../../tmp/curl"))
        .contains("not on the allow-list of executables (chaos.allow.executables)");
    assertThat(list.executableRefusal("/usr/bin/./curl")).isNull();
    assertThat(list.executableRefusal("/bin/sh")).contains("chaos.allow.executables");
    assertThat(list.executableRefusal("/usr/bin/curl-evil")).contains("chaos.allow.executables");
    assertThat(new ProviderAllowList(List.of("/bin/sh"), List.of()).executableRefusal("/bin/sh"))
        .as("a shell runs when it is listed")
        .isNull();
  }

  @Test
  @DisplayName(
      "A URL is allowed under a listed prefix only: another port, a host that merely starts like the listed one, user-info tricks and .. out of the prefix are refused")
  void urlPrefixes() {
    ProviderAllowList list =
        new ProviderAllowList(
            List.of(), List.of("http://localhost:9090", "https://status.example.com/api/"));

    assertThat(list.urlRefusal("http://localhost:9090/")).isNull();
    assertThat(list.urlRefusal("http://localhost:9090/metrics?x=1")).isNull();
    assertThat(list.urlRefusal("https://status.example.com:443/api/v2")).isNull();
    assertThat(list.urlRefusal("http://localhost:9091/")).contains("chaos.allow.urls");
    assertThat(list.urlRefusal("http://localhost:9090.evil.example/")).contains("chaos.allow.urls");
    assertThat(list.urlRefusal("http://localhost:9090@evil.example/")).contains("chaos.allow.urls");
    assertThat(list.urlRefusal("https://status.example.com/api/../admin"))
        .contains("chaos.allow.urls");
    assertThat(list.urlRefusal("https://status.example.com/apix")).contains("chaos.allow.urls");
    assertThat(list.urlRefusal("http://status.example.com/api/")).contains("chaos.allow.urls");
    assertThat(list.urlRefusal("file:///etc/passwd")).contains("chaos.allow.urls");
  }

  @Test
  @DisplayName(
      "The refusals of an experiment name every process and http call the lists refuse, tolerance probes included, with where each is")
  void refusalsOfAnExperiment() {
    ExperimentLoader loader = new ExperimentLoader(FaultCatalog.standard());
    Experiment experiment =
        loader
            .parse(
                """
                {"title": "calls", "steady-state-hypothesis": {"title": "fine", "probes": [
                  {"type": "probe", "name": "health", "tolerance": {"type": "probe", "name": "judge",
                    "provider": {"type": "process", "path": "/bin/sh", "arguments": ["-c", "true"]}},
                   "provider": {"type": "http", "url": "http://localhost:9090/health"}}]},
                 "method": [
                  {"type": "action", "name": "allowed", "provider": {"type": "process", "path": "/usr/bin/curl"}},
                  {"type": "action", "name": "exfiltrate", "provider": {"type": "http", "url": "https://evil.example/"}}]}
                """,
                false)
            .experiment();
    ProviderAllowList list =
        new ProviderAllowList(List.of("/usr/bin/curl"), List.of("http://localhost:9090/"));

    assertThat(list.refusals(experiment))
        .extracting(ExperimentProblem::path)
        .containsExactly(
            "steady-state-hypothesis.probes[0].tolerance.provider.path", "method[1].provider.url");
    assertThat(list.refusals(experiment))
        .extracting(ExperimentProblem::message)
        .allSatisfy(m -> assertThat(m).containsPattern("chaos\\.allow\\.(executables|urls)"));
  }
}
