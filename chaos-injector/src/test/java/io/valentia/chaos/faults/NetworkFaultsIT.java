package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.EventCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Network faults on a real veth pair between two network namespaces this test creates. */
class NetworkFaultsIT {
  private final String suffix =
      Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
  private final String left = "vchaos-l" + suffix;
  private final String right = "vchaos-r" + suffix;
  private final int net = ThreadLocalRandom.current().nextInt(1, 250);
  private final String leftAddress = "10.231." + net + ".1";
  private final String rightAddress = "10.231." + net + ".2";
  private FaultInjector injector;

  private static void sh(String... argv) throws Exception {
    HostCommand.require(List.of(argv));
  }

  @BeforeEach
  void namespaces() throws Exception {
    sh("ip", "netns", "add", left);
    sh("ip", "netns", "add", right);
    sh(
        "ip", "-n", left, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns",
        right);
    sh("ip", "-n", left, "addr", "add", leftAddress + "/24", "dev", "veth0");
    sh("ip", "-n", right, "addr", "add", rightAddress + "/24", "dev", "veth1");
    sh("ip", "-n", left, "link", "set", "veth0", "up");
    sh("ip", "-n", right, "link", "set", "veth1", "up");
    sh("ip", "-n", left, "link", "set", "lo", "up");
    injector =
        new FaultInjector(
            FaultCatalog.standard(), Runs.allowing("namespaces", "interfaces", "hosts").policy());
  }

  @AfterEach
  void remove() throws Exception {
    injector.close();
    HostCommand.run(List.of("ip", "netns", "del", left), null, Duration.ofSeconds(10));
    HostCommand.run(List.of("ip", "netns", "del", right), null, Duration.ofSeconds(10));
  }

  private boolean pings() throws Exception {
    return HostCommand.run(
            List.of(
                "ip",
                "netns",
                "exec",
                left,
                "ping",
                "-c",
                "2",
                "-i",
                "0.2",
                "-W",
                "1",
                rightAddress),
            null,
            Duration.ofSeconds(10))
        .ok();
  }

  private String tables() throws Exception {
    return HostCommand.require(List.of("ip", "netns", "exec", left, "nft", "list", "tables"));
  }

  @Test
  @DisplayName(
      "A partition drops real traffic between the namespaces, and reverting it deletes its nftables table so traffic flows again")
  void partition() throws Exception {
    assertThat(pings()).isTrue();

    injector.inject(
        "run",
        "network-partition",
        EventCodec.MAPPER.readTree(
            "{\"namespace\": \""
                + left
                + "\", \"peers\": [\""
                + rightAddress
                + "\"], \"duration\": \"30s\"}"));

    assertThat(pings()).isFalse();
    assertThat(tables()).contains("valentia_chaos_");
    assertThat(injector.revertRun("run")).isEmpty();
    assertThat(pings()).isTrue();
    assertThat(tables()).doesNotContain("valentia_chaos_");
  }

  @Test
  @DisplayName(
      "Total random loss on an interface drops every ping, and ends by itself when its duration is over")
  void lossEndsByItself() throws Exception {
    injector.inject(
        "run",
        "network-loss",
        EventCodec.MAPPER.readTree(
            "{\"namespace\": \""
                + left
                + "\", \"interface\": \"veth0\", \"percent\": 100, \"duration\": \"3s\"}"));

    assertThat(pings()).isFalse();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> injector.active().isEmpty());
    assertThat(pings()).isTrue();
    assertThat(tables()).doesNotContain("valentia_chaos_");
  }

  @Test
  @DisplayName(
      "An MTU fault changes the interface's MTU so large don't-fragment pings fail, and restores the old MTU")
  void mtu() throws Exception {
    assertThat(NetworkFaults.Mtu.current(left, "veth0")).isEqualTo(1500);
    injector.inject(
        "run",
        "mtu",
        EventCodec.MAPPER.readTree(
            "{\"namespace\": \""
                + left
                + "\", \"interface\": \"veth0\", \"mtu\": 1280, \"duration\": \"30s\"}"));

    assertThat(NetworkFaults.Mtu.current(left, "veth0")).isEqualTo(1280);
    assertThat(
            HostCommand.run(
                    List.of(
                        "ip",
                        "netns",
                        "exec",
                        left,
                        "ping",
                        "-c",
                        "1",
                        "-W",
                        "1",
                        "-M",
                        "do",
                        "-s",
                        "1400",
                        rightAddress),
                    null,
                    Duration.ofSeconds(10))
                .ok())
        .isFalse();
    injector.revertAll("test");
    assertThat(NetworkFaults.Mtu.current(left, "veth0")).isEqualTo(1500);
    assertThat(
            HostCommand.run(
                    List.of(
                        "ip",
                        "netns",
                        "exec",
                        left,
                        "ping",
                        "-c",
                        "1",
                        "-W",
                        "1",
                        "-M",
                        "do",
                        "-s",
                        "1400",
                        rightAddress),
                    null,
                    Duration.ofSeconds(10))
                .ok())
        .isTrue();
  }

  @Test
  @DisplayName("A namespace that is not on the allow-list is refused and nothing is changed")
  void refused() throws Exception {
    FaultInjector strict =
        new FaultInjector(FaultCatalog.standard(), Runs.allowing("pids").policy());
    assertThatThrownBy(
            () ->
                strict.inject(
                    "run",
                    "network-partition",
                    EventCodec.MAPPER.readTree(
                        "{\"namespace\": \"" + left + "\", \"duration\": \"30s\"}")))
        .isInstanceOf(FaultException.Refused.class)
        .hasMessageContaining("namespace:" + left + " is not on the allow-list");
    assertThat(pings()).isTrue();
    strict.close();
  }
}
