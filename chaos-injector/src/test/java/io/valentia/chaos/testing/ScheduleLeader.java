package io.valentia.chaos.testing;

import io.valentia.chaos.schedule.ScheduleLeadership;
import io.valentia.chaos.schedule.ScheduleTable;
import io.valentia.chaos.schedule.Scheduler;
import io.valentia.chaos.state.ChaosState;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * An injector's scheduler alone, for a process of its own (see {@link CommandMain}): it follows the
 * schedules table, joins the leadership group and, while it leads, fires on the real clock and
 * records each firing; its runs are nothing (they end at once). Prints {@code leads} once it leads.
 * Runs until killed.
 */
@Command(name = "schedule-leader")
public final class ScheduleLeader implements Callable<Integer> {
  @Parameters(index = "0")
  String bootstrap;

  @Parameters(index = "1")
  String group;

  @Override
  public Integer call() throws Exception {
    KafkaSettings kafka = KafkaSettings.local(bootstrap);
    ChaosState state = ChaosState.open(kafka, System.out::println);
    Scheduler scheduler =
        new Scheduler(
            Clock.systemUTC(),
            schedule -> {
              String runId = "run-" + System.nanoTime();
              return new Scheduler.RunHandle() {
                @Override
                public String runId() {
                  return runId;
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
    ScheduleTable table =
        new ScheduleTable(kafka, state.control(), TestSeal.SEAL).follow(scheduler);
    ScheduleLeadership leadership =
        new ScheduleLeadership(kafka, group, Duration.ofSeconds(6), table, scheduler).start();
    scheduler.leadership(leadership::leader).firingLog(table.firingLog());
    boolean said = false;
    while (true) {
      scheduler.tick();
      if (!said && scheduler.leads()) {
        System.out.println("leads");
        System.out.flush();
        said = true;
      }
      Thread.sleep(50); // the service ticks once a second; faster here, to race the kill
    }
  }
}
