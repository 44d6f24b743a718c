package io.valentia.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.state.ChaosState;
import io.valentia.chaos.testing.Runs;
import io.valentia.chaos.testing.TestSeal;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two injectors share one schedule through the shared Kafka: one leads and fires, the other does
 * not, and when the leader goes the other takes over without firing the same firing again. Time is
 * an injected clock. (A leader killed with SIGKILL: {@link ScheduleLeaderKilledIT}.)
 */
class ScheduleLeadershipIT {
  private final String id = "leader-" + UUID.randomUUID();
  private final String group = KafkaTestSupport.uniqueGroup("schedule-leader");
  private final SchedulerTest.MovableClock clock =
      new SchedulerTest.MovableClock(Instant.parse("2026-11-29T10:00:30Z"));
  private final List<String> launches = new CopyOnWriteArrayList<>();
  private Member a;
  private Member b;

  /** One injector: its state tables, scheduler, leadership and firing log. */
  private final class Member implements AutoCloseable {
    final String name;
    final ChaosInjector injector;
    final ScheduleTable table;
    final Scheduler scheduler;
    final ScheduleLeadership leadership;

    Member(String name) {
      this.name = name;
      scheduler =
          new Scheduler(
              clock,
              schedule -> {
                if (schedule.id().equals(id)) { // other tests' schedules may be in the table
                  launches.add(name + "@" + clock.instant());
                }
                return new Scheduler.RunHandle() {
                  @Override
                  public String runId() {
                    return "run-" + launches.size();
                  }

                  @Override
                  public boolean running() {
                    return false;
                  }

                  @Override
                  public void stop(String reason) {}
                };
              },
              new Random());
      injector =
          new ChaosInjector(
                  Runs.allowing(),
                  FaultCatalog.standard(),
                  KafkaTestSupport.settings(),
                  RunEvents.none(),
                  "/chaos/" + name,
                  Clock.systemUTC())
              .followControl(TestSeal.SEAL);
      table =
          new ScheduleTable(KafkaTestSupport.settings(), injector.state().control(), TestSeal.SEAL)
              .follow(scheduler);
      leadership =
          new ScheduleLeadership(
                  KafkaTestSupport.settings(), group, Duration.ofSeconds(6), table, scheduler)
              .start();
      scheduler.leadership(leadership::leader).firingLog(table.firingLog());
    }

    private boolean closed;

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        leadership.close();
        table.close();
        injector.close();
      }
    }
  }

  @BeforeEach
  void start() {
    a = new Member("a");
    b = new Member("b");
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
    try (ChaosState state = ChaosState.open(KafkaTestSupport.settings(), line -> {});
        ScheduleTable table =
            new ScheduleTable(KafkaTestSupport.settings(), state.control(), TestSeal.SEAL)) {
      table.remove(id).get(30, TimeUnit.SECONDS);
    }
  }

  private void tickBoth() {
    a.scheduler.tick();
    b.scheduler.tick();
  }

  @Test
  @DisplayName(
      "With two injectors a scheduled run fires once, not twice; when the leader goes, the other takes the lead and fires the next run but not the one already fired")
  void oneLeaderFiresEachFiringOnce() throws Exception {
    Schedule schedule =
        new Schedule(
            id,
            "Every five minutes",
            "*/5 * * * *",
            Trigger.parse("*/5 * * * *"),
            EventCodec.MAPPER.createObjectNode().put("title", "Every five minutes"),
            ScheduleOptions.defaults());
    a.table.put(ScheduleRecords.record(schedule, null), TestSeal.SENDER).get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> has(a.scheduler) && has(b.scheduler));
    await().atMost(Duration.ofSeconds(60)).until(() -> a.scheduler.leads() ^ b.scheduler.leads());
    Member leader = a.scheduler.leads() ? a : b;
    Member follower = leader == a ? b : a;

    clock.advance(Duration.ofMinutes(4).plusSeconds(31)); // 10:05:01, the firing of 10:05
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              tickBoth();
              return launches.size() == 1;
            });
    assertThat(launches).containsExactly(leader.name + "@2026-11-29T10:05:01Z");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                state(follower.scheduler).history().stream()
                    .anyMatch(f -> f.outcome().startsWith("started (by the leader)")));
    assertThat(state(follower.scheduler).nextRun())
        .isEqualTo(Instant.parse("2026-11-29T10:10:00Z"));

    leader.close();
    await().atMost(Duration.ofSeconds(60)).until(follower.scheduler::leads);
    clock.advance(Duration.ofSeconds(4)); // still within the grace of the 10:05 firing
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              follower.scheduler.tick();
              return launches.size() == 1;
            });

    clock.advance(Duration.ofMinutes(5)); // 10:10:05
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              follower.scheduler.tick();
              return launches.size() == 2;
            });
    assertThat(launches.get(1)).isEqualTo(follower.name + "@2026-11-29T10:10:05Z");
  }

  private Scheduler.State state(Scheduler scheduler) {
    return scheduler.states().stream()
        .filter(s -> s.schedule().id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  private boolean has(Scheduler scheduler) {
    return scheduler.states().stream().anyMatch(s -> s.schedule().id().equals(id));
  }
}
