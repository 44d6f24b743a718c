package io.valentia.chaos;

import io.valentia.chaos.experiment.EventProbes;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentRunner;
import io.valentia.chaos.experiment.RunEvents;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.journal.FaultJournal;
import io.valentia.chaos.journal.KafkaFaultJournal;
import io.valentia.chaos.safety.ControlListener;
import io.valentia.chaos.safety.FaultRecovery;
import io.valentia.chaos.safety.HaltSwitch;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.time.Clock;
import java.util.List;

/**
 * One chaos injector: the fault injector under its safety policy, the experiment runner, halt-all
 * and, when Kafka is there, the control listener with the dead-man switch. Closing it stops the
 * listener and reverts every fault still active.
 */
public final class ChaosInjector implements AutoCloseable {
  private final ChaosConfig config;
  private final FaultInjector injector;
  private final ExperimentRunner runner;
  private final HaltSwitch halt;
  private final ExperimentLoader loader;
  private final KafkaSettings kafka;
  private final Clock clock;
  private final FaultJournal journal;
  private final boolean ownsJournal;
  private final String source;
  private ControlListener control;

  /**
   * @param kafka where valentia.events and valentia.control are; null to run without Kafka (no
   *     event-query probes, no control topic)
   * @param events where run events and halt audits go
   * @param source the CloudEvents source of this injector's events, e.g. {@code /chaos/host-1}
   */
  public ChaosInjector(
      ChaosConfig config,
      FaultCatalog catalog,
      KafkaSettings kafka,
      RunEvents events,
      String source,
      Clock clock) {
    this(
        config,
        catalog,
        kafka,
        events,
        source,
        clock,
        kafka == null ? FaultJournal.none() : new KafkaFaultJournal(kafka, source),
        true);
  }

  /**
   * An injector whose faults are recorded in {@code journal} (the other constructor records them on
   * the control topic of {@code kafka}).
   */
  public ChaosInjector(
      ChaosConfig config,
      FaultCatalog catalog,
      KafkaSettings kafka,
      RunEvents events,
      String source,
      Clock clock,
      FaultJournal journal) {
    this(config, catalog, kafka, events, source, clock, journal, false);
  }

  private ChaosInjector(
      ChaosConfig config,
      FaultCatalog catalog,
      KafkaSettings kafka,
      RunEvents events,
      String source,
      Clock clock,
      FaultJournal journal,
      boolean ownsJournal) {
    this.ownsJournal = ownsJournal;
    this.config = config;
    this.kafka = kafka;
    this.clock = clock;
    this.source = source;
    this.journal = journal;
    this.injector = new FaultInjector(catalog, config.policy(), clock, journal);
    this.runner =
        new ExperimentRunner(injector, new EventProbes(kafka, clock), events, clock, source);
    this.halt = new HaltSwitch(injector, runner, events, source);
    this.loader = new ExperimentLoader(catalog);
  }

  /**
   * Reverts what killed injectors of this host left behind, from the fault journal on
   * valentia.control; blocks. Without Kafka there is no journal and nothing to do.
   *
   * @return one line per fault reverted (or that could not be)
   */
  public List<String> recover() {
    if (kafka == null) {
      return List.of();
    }
    return new FaultRecovery(kafka, journal, source).recover();
  }

  /** Starts following valentia.control (halts, dead-man switch); needs Kafka. */
  public synchronized ChaosInjector followControl() {
    return followControl(e -> {});
  }

  /**
   * Starts following valentia.control, handing commands other than halts (schedules) to {@code
   * others}.
   */
  public synchronized ChaosInjector followControl(
      java.util.function.Consumer<io.valentia.eventbus.CloudEvent> others) {
    if (kafka != null && control == null) {
      control =
          new ControlListener(kafka, halt, injector, runner, config.controlLease(), clock)
              .onOtherCommands(others)
              .start();
    }
    return this;
  }

  public ChaosConfig config() {
    return config;
  }

  public FaultInjector faults() {
    return injector;
  }

  public ExperimentRunner runner() {
    return runner;
  }

  public HaltSwitch halt() {
    return halt;
  }

  public ExperimentLoader loader() {
    return loader;
  }

  /** The control listener; null when not following the control topic. */
  public synchronized ControlListener control() {
    return control;
  }

  @Override
  public synchronized void close() {
    if (control != null) {
      control.close();
    }
    runner.stopAll("interrupted", "the injector stopped", "shutdown");
    injector.close();
    if (ownsJournal && journal instanceof KafkaFaultJournal kafkaJournal) {
      kafkaJournal.close();
    }
  }
}
