package io.valentia.chaos.testing;

import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.safety.SafetyPolicy;
import io.valentia.chaos.safety.TargetAllowList;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Small helpers for tests that run experiments. */
public final class Runs {
  private Runs() {}

  /** Reads and resolves an experiment written as JSON; fails the test when it is not valid. */
  public static Experiment experiment(String json) {
    ExperimentLoader loader = new ExperimentLoader(FaultCatalog.standard());
    ExperimentLoader.Loaded loaded = loader.parse(json, false);
    if (!loaded.valid()) {
      throw new AssertionError("test experiment is not valid: " + loaded.problems());
    }
    return loader.resolve(loaded, Map.of(), "test");
  }

  /** A configuration allowing every target of the kinds given. */
  public static ChaosConfig allowing(String... keys) {
    Map<String, List<String>> patterns = new java.util.LinkedHashMap<>();
    for (String key : keys) {
      patterns.put(key, List.of("*"));
    }
    return new ChaosConfig(
        new SafetyPolicy(new TargetAllowList(patterns), 5, Duration.ofMinutes(5)),
        Duration.ZERO,
        Duration.ofSeconds(30));
  }

  /** {@code config} that also lets the process provider run {@code executables}. */
  public static ChaosConfig running(ChaosConfig config, String... executables) {
    return config.allowing(Map.of("executables", List.of(executables)));
  }

  /**
   * Lets every user into {@code dir} ({@code 0777}): processes of experiments run as {@code nobody}
   * when the tests run as root.
   */
  public static Path openToAll(Path dir) throws java.io.IOException {
    java.nio.file.Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    return dir;
  }

  /** The events of one run (by experiment id) on valentia.events, in offset order per partition. */
  public static List<CloudEvent> eventsOf(String runId) {
    List<CloudEvent> events = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readAll(Topics.EVENTS)) {
      try {
        CloudEvent e = EventCodec.instance().decode(r.value());
        if (runId.equals(e.experimentId())) {
          events.add(e);
        }
      } catch (InvalidEventException ignored) {
        // other tests' records
      }
    }
    return events;
  }
}
