package io.valentia.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.chaos.state.ChaosState;
import io.valentia.chaos.state.ControlState;
import io.valentia.chaos.testing.CommandMain;
import io.valentia.chaos.testing.ScheduleLeader;
import io.valentia.chaos.testing.TestSeal;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule leader is a process of its own, killed with SIGKILL while it fires: the next leader
 * knows every firing it recorded (each was recorded before its run started) and fires none of them
 * again.
 */
class ScheduleLeaderKilledIT {
  private final String id = "killed-leader-" + UUID.randomUUID();
  private final String group = KafkaTestSupport.uniqueGroup("schedule-leader-killed");

  @Test
  @DisplayName(
      "Firings a leader recorded before it was killed with SIGKILL are neither lost nor fired again by the injector that takes the lead")
  void nextLeaderKnowsEveryRecordedFiring(@TempDir Path dir) throws Exception {
    try (ChaosState state = ChaosState.open(KafkaTestSupport.settings(), line -> {});
        ScheduleTable table =
            new ScheduleTable(KafkaTestSupport.settings(), state.control(), TestSeal.SEAL)) {
      Schedule schedule =
          new Schedule(
              id,
              "Every second",
              "every 1s",
              Trigger.parse("every 1s"),
              EventCodec.MAPPER.createObjectNode().put("title", "Every second"),
              ScheduleOptions.defaults());
      table.put(ScheduleRecords.record(schedule, null), TestSeal.SENDER).get(30, TimeUnit.SECONDS);

      Path log = dir.resolve("leader.log");
      Process leader =
          CommandMain.process(
                  log, List.of(), ScheduleLeader.class, KafkaTestSupport.bootstrapServers(), group)
              .start();
      Scheduler next = null;
      ScheduleLeadership nextLeadership = null;
      ScheduleTable nextTable = null;
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> leader.isAlive() && Files.readString(log).contains("leads"));

        // the next injector joins while the other leads; it does not fire
        next =
            new Scheduler(
                Clock.systemUTC(),
                s ->
                    new Scheduler.RunHandle() {
                      @Override
                      public String runId() {
                        return "run-" + UUID.randomUUID();
                      }

                      @Override
                      public boolean running() {
                        return false;
                      }

                      @Override
                      public void stop(String reason) {}
                    },
                new Random());
        nextTable =
            new ScheduleTable(KafkaTestSupport.settings(), state.control(), TestSeal.SEAL)
                .follow(next);
        nextLeadership =
            new ScheduleLeadership(
                    KafkaTestSupport.settings(), group, Duration.ofSeconds(6), nextTable, next)
                .start();
        next.leadership(nextLeadership::leader).firingLog(nextTable.firingLog());

        // kill it right after it recorded a firing (its run may or may not have started)
        int before = recorded(state).size();
        await().atMost(Duration.ofSeconds(30)).until(() -> recorded(state).size() >= before + 3);
        int seen = recorded(state).size();
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> recorded(state).size() > seen);
        leader.destroyForcibly().waitFor(); // SIGKILL: no clean leave from the group
      } finally {
        if (leader.isAlive()) {
          leader.destroyForcibly().waitFor();
        }
      }
      try {
        Set<Instant> byKilled = recorded(state);
        assertThat(byKilled).hasSizeGreaterThanOrEqualTo(4);
        Instant last = byKilled.stream().max(Instant::compareTo).orElseThrow();

        Scheduler follower = next;
        await().atMost(Duration.ofSeconds(60)).until(follower::leads);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  follower.tick();
                  return ownFirings(follower).size() >= 2;
                });

        List<Scheduler.Firing> history = historyOf(follower);
        assertThat(history.stream().map(Scheduler.Firing::at).collect(Collectors.toSet()))
            .as("every firing the killed leader recorded is known (not lost)")
            .containsAll(byKilled.stream().filter(at -> !at.isBefore(oldest(history))).toList());
        assertThat(ownFirings(follower))
            .as("none of them is fired again")
            .allMatch(f -> f.at().isAfter(last))
            .extracting(Scheduler.Firing::at)
            .doesNotContainAnyElementsOf(byKilled);
      } finally {
        nextLeadership.close();
        nextTable.close();
        table.remove(id).get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** When the firings the killed leader recorded were due, as the table has them now. */
  private Set<Instant> recorded(ChaosState state) {
    return state
        .control()
        .get(ControlState.firedKey(id))
        .map(ControlState::firings)
        .map(f -> f.stream().map(Scheduler.Firing::at).collect(Collectors.toSet()))
        .orElse(Set.of());
  }

  private List<Scheduler.Firing> historyOf(Scheduler scheduler) {
    return scheduler.states().stream()
        .filter(s -> s.schedule().id().equals(id))
        .findFirst()
        .orElseThrow()
        .history();
  }

  /** The firings this scheduler handled itself, not the ones it learnt of. */
  private List<Scheduler.Firing> ownFirings(Scheduler scheduler) {
    return historyOf(scheduler).stream()
        .filter(f -> !f.outcome().endsWith("(by the leader)"))
        .toList();
  }

  private static Instant oldest(List<Scheduler.Firing> history) {
    return history.stream().map(Scheduler.Firing::at).min(Instant::compareTo).orElseThrow();
  }
}
