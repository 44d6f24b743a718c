package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.cli.ExperimentCommand;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.HostCommand;
import io.valentia.chaos.state.ChaosState;
import io.valentia.chaos.testing.CommandMain;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.Sleepers;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.ChaosFault;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery for real: an injector process is killed with SIGKILL while its faults are active,
 * and a new injector reverts them from the open faults in {@code valentia.state.faults}.
 */
class FaultRecoveryIT {
  private final String namespace = "vrec-" + ThreadLocalRandom.current().nextInt(100_000, 999_999);

  @BeforeEach
  void namespace() throws Exception {
    HostCommand.require(List.of("ip", "netns", "add", namespace));
    HostCommand.require(
        List.of(
            "ip", "-n", namespace, "link", "add", "vra", "type", "veth", "peer", "name", "vrb"));
    HostCommand.require(List.of("ip", "-n", namespace, "link", "set", "vra", "up"));
  }

  @AfterEach
  void removeNamespace() throws Exception {
    HostCommand.run(List.of("ip", "netns", "del", namespace), null, Duration.ofSeconds(10));
  }

  @Test
  @DisplayName(
      "After an injector is killed with SIGKILL mid-fault, the next injector finds its faults in valentia.state.faults and reverts them: the paused process runs, the quota, the nftables table and the MTU are gone")
  void revertsWhatAKilledInjectorLeft(@TempDir Path dir) throws Exception {
    try (Sleepers sleepers = new Sleepers()) {
      long paused = sleepers.start();
      long starved = sleepers.start();
      String cgroupBefore = cgroupOf(starved);
      Path experiment = dir.resolve("left-behind.yaml");
      Files.writeString(
          experiment,
          """
          title: Faults that outlive their injector
          method:
            - type: action
              name: pause
              provider: {type: valentia, fault: process-pause, arguments: {pid: %d, duration: 3m}}
            - type: action
              name: starve
              provider: {type: valentia, fault: cpu-quota, arguments: {pid: %d, percent: 20, duration: 3m}}
            - type: action
              name: shrink-mtu
              provider: {type: valentia, fault: mtu, arguments: {namespace: %s, interface: vra, mtu: 1280, duration: 3m}}
            - type: action
              name: drop-everything
              provider: {type: valentia, fault: network-loss, arguments: {namespace: %s, percent: 100, duration: 3m}}
              pauses: {after: 180}
          """
              .formatted(paused, starved, namespace, namespace));
      Path log = dir.resolve("injector.log");
      Process injector =
          CommandMain.process(
                  log,
                  List.of(),
                  ExperimentCommand.class,
                  "run",
                  "--kafka",
                  KafkaTestSupport.bootstrapServers(),
                  "--data-dir",
                  dir.toString(),
                  "--allow",
                  "pid=" + paused,
                  "--allow",
                  "pid=" + starved,
                  "--allow",
                  "namespace=" + namespace,
                  "--allow",
                  "interface=vra",
                  "--steady-state-every",
                  "0",
                  "--journal",
                  dir.resolve("journal.json").toString(),
                  experiment.toString())
              .start();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(
                () -> {
                  assertThat(injector.isAlive()).as(() -> read(log)).isTrue();
                  assertThat(Sleepers.state(paused)).isEqualTo("T");
                  assertThat(cgroupOf(starved)).isNotEqualTo(cgroupBefore);
                  assertThat(mtu()).isEqualTo(1280);
                  assertThat(tables()).contains("valentia_chaos_");
                });
      } finally {
        injector.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no rollback
      }
      assertThat(Sleepers.state(paused)).as("nothing reverted it yet").isEqualTo("T");
      try (ChaosState state = ChaosState.open(KafkaTestSupport.settings(), line -> {})) {
        assertThat(openFaultsOf(state, injector.pid()))
            .as("the open faults with their undo, in " + Topics.STATE_FAULTS)
            .hasSize(4)
            .allMatch(f -> f.state().equals(ChaosFault.APPLYING) && f.undo() != null);
      }

      List<String> lines;
      try (ChaosInjector next =
          new ChaosInjector(
              Runs.allowing().allowing(java.util.Map.of()),
              FaultCatalog.standard(),
              KafkaTestSupport.settings(),
              RunEvents.none(),
              "/chaos/recovery-test",
              Clock.systemUTC())) {
        lines = next.recover();
      }

      assertThat(lines)
          .filteredOn(
              l ->
                  l.contains("pid:" + paused)
                      || l.contains("pid:" + starved)
                      || l.contains("namespace:" + namespace))
          .hasSize(4)
          .allMatch(l -> l.startsWith("reverted ") && l.contains("pid " + injector.pid()));
      assertThat(Sleepers.state(paused))
          .as("SIGCONT was sent: running, not stopped")
          .isIn("S", "R");
      assertThat(cgroupOf(starved)).as("back in its own cgroup").isEqualTo(cgroupBefore);
      assertThat(mtu()).isEqualTo(1500);
      assertThat(tables()).doesNotContain("valentia_chaos_");
      assertThat(journalOf(injector.pid(), paused, starved))
          .extracting(ChaosFault::state)
          .containsExactlyInAnyOrder(
              ChaosFault.APPLYING,
              ChaosFault.APPLYING,
              ChaosFault.APPLYING,
              ChaosFault.APPLYING,
              ChaosFault.REVERTED,
              ChaosFault.REVERTED,
              ChaosFault.REVERTED,
              ChaosFault.REVERTED);

      try (ChaosState state = ChaosState.open(KafkaTestSupport.settings(), line -> {})) {
        assertThat(openFaultsOf(state, injector.pid()))
            .as("reverted faults leave the state table")
            .isEmpty();
      }

      try (ChaosInjector again =
          new ChaosInjector(
              Runs.allowing(),
              FaultCatalog.standard(),
              KafkaTestSupport.settings(),
              RunEvents.none(),
              "/chaos/recovery-test",
              Clock.systemUTC())) {
        assertThat(again.recover())
            .as("a recovered fault is not reverted twice")
            .noneMatch(l -> l.contains("pid " + injector.pid()));
      }
    }
  }

  @Test
  @DisplayName(
      "A fault that cannot be recorded in the journal first is refused and leaves the process running")
  void unrecordedFaultIsNotApplied() throws Exception {
    try (Sleepers sleepers = new Sleepers();
        ChaosInjector chaos =
            new ChaosInjector(
                Runs.allowing("pids"),
                FaultCatalog.standard(),
                KafkaTestSupport.settings(),
                RunEvents.none(),
                "/chaos/recovery-test",
                Clock.systemUTC(),
                new io.valentia.chaos.journal.FaultJournal() {
                  @Override
                  public void applying(ChaosFault record) {
                    throw new NotRecordedException("Kafka is gone", null);
                  }

                  @Override
                  public void settled(ChaosFault record) {}
                })) {
      long pid = sleepers.start();

      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  chaos
                      .faults()
                      .inject(
                          "manual",
                          "process-pause",
                          EventCodec.MAPPER.readTree(
                              "{\"pid\": " + pid + ", \"duration\": \"30s\"}")))
          .isInstanceOf(io.valentia.chaos.faults.FaultException.class)
          .hasMessageContaining("Kafka is gone");
      assertThat(Sleepers.state(pid)).as("running, not stopped").isIn("S", "R");
      assertThat(chaos.faults().active()).isEmpty();
    }
  }

  private static List<ChaosFault> openFaultsOf(ChaosState state, long injectorPid) {
    return state.faults().snapshot().values().stream().filter(f -> f.pid() == injectorPid).toList();
  }

  /** The audit records on valentia.control of the faults the killed injector applied. */
  private List<ChaosFault> journalOf(long injectorPid, long paused, long starved) {
    List<ChaosFault> applied = new ArrayList<>();
    List<ChaosFault> all = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readAll(Topics.CONTROL)) {
      if (!EventType.CHAOS_FAULT.type().equals(EventCodec.peekType(r.value()))) {
        continue;
      }
      CloudEvent event = EventCodec.instance().decode(r.value());
      ChaosFault fault = EventCodec.instance().payload(event, ChaosFault.class);
      all.add(fault);
      if (fault.pid() == injectorPid && fault.state().equals(ChaosFault.APPLYING)) {
        applied.add(fault);
      }
    }
    List<String> ids = applied.stream().map(ChaosFault::faultId).toList();
    return all.stream().filter(f -> ids.contains(f.faultId())).toList();
  }

  private long mtu() throws Exception {
    String out = HostCommand.require(List.of("ip", "-n", namespace, "link", "show", "dev", "vra"));
    var m = java.util.regex.Pattern.compile("\\bmtu (\\d+)").matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private String tables() throws Exception {
    return HostCommand.require(List.of("ip", "netns", "exec", namespace, "nft", "list", "tables"));
  }

  private static String cgroupOf(long pid) throws Exception {
    return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      return "";
    }
  }
}
