package io.valentia.chaos.schedule;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.GroupLeadership;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.time.Duration;

/**
 * Which of several injectors fires the schedules: the member of a consumer group on {@code
 * valentia.control} that Kafka assigns partition 0 (see {@link GroupLeadership}). It changes only
 * when the leader leaves: at once when it stops cleanly, after the session timeout when it crashes.
 *
 * <p>A new leader leads only once it has read {@code valentia.state.schedules} as it stands on
 * Kafka at the handover ({@link ScheduleTable#catchUp}), so it knows every firing the old leader
 * recorded (each was recorded before its run started) and fires none of them again. Thread-safe.
 */
public final class ScheduleLeadership implements AutoCloseable {
  private final GroupLeadership group;

  /**
   * @param group the consumer group: one per set of injectors that share schedules
   * @param sessionTimeout how long a crashed leader keeps the lead (at least the broker's
   *     group.min.session.timeout.ms, 6 s by default)
   * @param schedules the table the new leader catches up with
   * @param scheduler the scheduler that fires while this injector leads
   */
  public ScheduleLeadership(
      KafkaSettings kafka,
      String group,
      Duration sessionTimeout,
      ScheduleTable schedules,
      Scheduler scheduler) {
    this.group =
        new GroupLeadership(
            kafka, group, Topics.CONTROL, sessionTimeout, () -> schedules.catchUp(scheduler));
  }

  /** Joins the group. */
  public ScheduleLeadership start() {
    group.start();
    return this;
  }

  /** Whether this injector leads now and knows every firing recorded before it took the lead. */
  public boolean leader() {
    return group.leads();
  }

  /** Leaves the group; another injector takes the lead at once. */
  @Override
  public void close() {
    group.close();
  }
}
