package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.faults.Target;
import io.valentia.eventbus.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SafetyConfigTest {

  @Test
  @DisplayName("The chaos section reads the allow-list, blast radius and dead-man lease")
  void reads() throws Exception {
    ChaosConfig config =
        ChaosConfig.read(
            EventCodec.MAPPER.readTree(
                """
                {"allow": {"pids": ["*"], "namespaces": ["chaos-*"], "cgroups": ["batch/*"]},
                 "maxConcurrentFaults": 2, "maxFaultDuration": "10m", "steadyStateInterval": 0, "controlLease": "45s"}
                """));

    TargetAllowList allow = config.policy().allowList();
    assertThat(allow.allows(new Target("pid", "4242"))).isTrue();
    assertThat(allow.allows(new Target("namespace", "chaos-blue"))).isTrue();
    assertThat(allow.allows(new Target("namespace", "prod"))).isFalse();
    assertThat(allow.allows(new Target("cgroup", "batch/jobs"))).isTrue();
    assertThat(allow.allows(new Target("interface", "eth0"))).as("no interfaces listed").isFalse();
    assertThat(config.policy().maxConcurrentFaults()).isEqualTo(2);
    assertThat(config.policy().maxFaultDuration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.steadyStateInterval()).isZero();
    assertThat(config.controlLease()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  @DisplayName(
      "Every bad key of the chaos section is reported at once, and nothing is allowed by default")
  void everyProblem() throws Exception {
    List<String> problems = new ArrayList<>();
    ChaosConfig.read(
        EventCodec.MAPPER.readTree(
            "{\"allow\": {\"planets\": [\"earth\"]}, \"maxConcurrentFaults\": 0, \"controlLease\": \"soon\", \"colour\": \"red\","
                + " \"scheduleGroup\": \"\", \"leaderSessionTimeout\": \"2s\"}"),
        problems);

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "colour: unknown key (known: allow, controlLease, leaderSessionTimeout, maxConcurrentFaults, maxFaultDuration, processUser, providerTimeout, scheduleGroup, steadyStateInterval)",
            "scheduleGroup: must be a Kafka consumer group name, found \"\"",
            "leaderSessionTimeout: must be between 6s and 5m (Kafka's session limits), found \"2s\"",
            "allow.planets: unknown target kind (known: pids, cgroups, namespaces, interfaces, hosts; and executables, urls for the process and http providers)",
            "maxConcurrentFaults: must be a positive integer, found 0",
            "controlLease: must be a positive duration such as 30s, found \"soon\"");
    assertThat(ChaosConfig.defaults().policy().allowList().allows(new Target("pid", "1")))
        .isFalse();
  }
}
