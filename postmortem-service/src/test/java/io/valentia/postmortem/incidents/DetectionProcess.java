package io.valentia.postmortem.incidents;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

/**
 * Incident detection alone in its own JVM, for tests that kill it: {@code DetectionProcess
 * BOOTSTRAP APPLICATION_ID STATE_DIR}. Reads the incidents table, runs {@link IncidentStreams} with
 * a short session timeout, and prints {@code state NAME} on each change of state and {@code tasks
 * topic-partition,...} whenever its tasks change; runs until killed.
 */
public final class DetectionProcess {
  /** Short enough for a quick takeover, and the broker's minimum. */
  static final Map<String, Object> QUICK_TAKEOVER =
      Map.of("consumer.session.timeout.ms", 6000, "consumer.heartbeat.interval.ms", 1500);

  private DetectionProcess() {}

  public static void main(String[] args) throws Exception {
    KafkaSettings kafka = KafkaSettings.local(args[0]);
    StateTables tables = new StateTables(kafka);
    StateTable<IncidentState> table = tables.open(Topics.STATE_INCIDENTS, IncidentState.class);
    StateMigration.await(table.restored(), "read the incidents");
    IncidentStreams streams =
        IncidentStreams.start(
            kafka,
            new IncidentStreams.Settings(args[1], Path.of(args[2]), QUICK_TAKEOVER),
            DetectionRules.DEFAULT,
            () -> table.snapshot().values(),
            null);
    String state = "";
    String tasks = "";
    while (true) {
      String nowState = streams.state().name();
      if (!nowState.equals(state)) {
        state = nowState;
        System.out.println("state " + state);
      }
      TreeSet<String> owned = new TreeSet<>();
      streams.activePartitions().forEach(tp -> owned.add(tp.toString()));
      String nowTasks = String.join(",", owned);
      if (!nowTasks.equals(tasks)) {
        tasks = nowTasks;
        System.out.println("tasks " + tasks);
      }
      System.out.flush();
      Thread.sleep(100);
    }
  }
}
