package io.valentia.chaos.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    Instant now;

    MovableClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Runs that stay running until the test ends them. */
  static final class FakeRuns implements Scheduler.Launcher {
    final List<Handle> started = new ArrayList<>();

    @Override
    public Scheduler.RunHandle launch(Schedule schedule) {
      Handle h = new Handle("run-" + started.size());
      started.add(h);
      return h;
    }

    static final class Handle implements Scheduler.RunHandle {
      final String id;
      boolean running = true;
      String stoppedBecause;

      Handle(String id) {
        this.id = id;
      }

      @Override
      public String runId() {
        return id;
      }

      @Override
      public boolean running() {
        return running;
      }

      @Override
      public void stop(String reason) {
        running = false;
        stoppedBecause = reason;
      }
    }
  }

  private static Schedule schedule(String spec, String options) throws Exception {
    List<String> problems = new ArrayList<>();
    ScheduleOptions o = ScheduleOptions.read(EventCodec.MAPPER.readTree(options), problems);
    assertThat(problems).isEmpty();
    return new Schedule(
        "s1",
        "t",
        spec,
        Trigger.parse(spec),
        EventCodec.MAPPER.createObjectNode().put("title", "t"),
        o);
  }

  @Test
  @DisplayName(
      "A paused schedule has no next firing and starts nothing however much time passes; resumed, it fires again from then on")
  void pausedFiresNothing() throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2026-11-29T01:00:00Z"));
    FakeRuns runs = new FakeRuns();
    Scheduler scheduler = new Scheduler(clock, runs, new Random(1));
    Schedule paused = schedule("every 10m", "{\"paused\": true}");
    assertThat(scheduler.put(paused)).isNull();
    for (int i = 0; i < 12; i++) {
      clock.advance(Duration.ofMinutes(10));
      scheduler.tick();
    }
    assertThat(runs.started).isEmpty();
    assertThat(scheduler.states().get(0).history()).isEmpty();

    Schedule resumed =
        new Schedule(
            paused.id(),
            paused.title(),
            paused.spec(),
            paused.trigger(),
            paused.experiment(),
            paused.options().withPaused(false));
    assertThat(scheduler.put(resumed)).isEqualTo(Instant.parse("2026-11-29T03:10:00Z"));
    clock.advance(Duration.ofMinutes(10));
    scheduler.tick();
    assertThat(runs.started).hasSize(1);
  }

  @Test
  @DisplayName("Cron fields are read in the schedule's time zone")
  void timeZone() throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2026-07-01T00:00:00Z"));
    Scheduler scheduler = new Scheduler(clock, new FakeRuns(), new Random(1));
    Instant next = scheduler.put(schedule("0 3 * * *", "{\"zone\": \"Europe/Dublin\"}"));
    assertThat(next).isEqualTo(Instant.parse("2026-07-01T02:00:00Z")); // 03:00 Irish summer time
  }

  @Test
  @DisplayName(
      "An interval schedule fires each time the clock passes it, and the history keeps only its limit")
  void intervalAndHistory() throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2026-11-29T00:00:00Z"));
    FakeRuns runs = new FakeRuns();
    Scheduler scheduler = new Scheduler(clock, runs, new Random(1));
    scheduler.put(schedule("every 10m", "{\"historyLimit\": 2, \"concurrency\": \"allow\"}"));

    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMinutes(10));
      scheduler.tick();
      scheduler.tick(); // a second tick at the same time fires nothing more
    }

    assertThat(runs.started).hasSize(3);
    Scheduler.State state = scheduler.states().get(0);
    assertThat(state.history())
        .extracting(Scheduler.Firing::runId)
        .containsExactly("run-1", "run-2");
    assertThat(state.nextRun()).isEqualTo(Instant.parse("2026-11-29T00:40:00Z"));
  }

  @Test
  @DisplayName("Concurrency: forbid skips while the last run goes on, replace stops it first")
  void concurrency() throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2026-11-29T00:00:00Z"));
    FakeRuns runs = new FakeRuns();
    Scheduler scheduler = new Scheduler(clock, runs, new Random(1));
    scheduler.put(schedule("every 1m", "{}"));
    clock.advance(Duration.ofMinutes(1));
    scheduler.tick();
    clock.advance(Duration.ofMinutes(1));
    scheduler.tick();
    assertThat(runs.started).hasSize(1);
    assertThat(scheduler.states().get(0).history())
        .extracting(Scheduler.Firing::outcome)
        .containsExactly("started", "skipped: still running");

    scheduler.put(schedule("every 1m", "{\"concurrency\": \"replace\"}"));
    clock.advance(Duration.ofMinutes(1));
    scheduler.tick();
    assertThat(runs.started).hasSize(2);
    assertThat(runs.started.get(0).stoppedBecause).contains("replaced");
  }

  @Test
  @DisplayName(
      "A firing inside a blackout window is skipped; missed firings are skipped or run once, as asked")
  void blackoutsAndMissed() throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2026-11-29T21:59:00Z"));
    FakeRuns runs = new FakeRuns();
    Scheduler scheduler = new Scheduler(clock, runs, new Random(1));
    scheduler.put(
        schedule("0 * * * *", "{\"blackouts\": [\"22:00-06:00\"], \"concurrency\": \"allow\"}"));
    clock.advance(Duration.ofMinutes(1));
    scheduler.tick();
    assertThat(runs.started).isEmpty();
    assertThat(scheduler.states().get(0).history())
        .extracting(Scheduler.Firing::outcome)
        .containsExactly("skipped: blackout");

    scheduler.put(schedule("0 * * * *", "{\"missed\": \"skip\", \"concurrency\": \"allow\"}"));
    clock.advance(Duration.ofHours(3)); // the injector was stalled
    scheduler.tick();
    assertThat(runs.started).isEmpty();

    scheduler.put(schedule("0 * * * *", "{\"missed\": \"run-once\", \"concurrency\": \"allow\"}"));
    clock.advance(Duration.ofHours(3));
    scheduler.tick();
    scheduler.tick();
    assertThat(runs.started).hasSize(1);
  }

  @Test
  @DisplayName("Jitter delays a firing by at most the jitter")
  void jitter() throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2026-11-29T00:00:00Z"));
    Scheduler scheduler = new Scheduler(clock, new FakeRuns(), new Random(7));
    Instant next = scheduler.put(schedule("0 1 * * *", "{\"jitter\": \"5m\"}"));
    assertThat(next)
        .isBetween(Instant.parse("2026-11-29T01:00:00Z"), Instant.parse("2026-11-29T01:05:00Z"));
  }
}
