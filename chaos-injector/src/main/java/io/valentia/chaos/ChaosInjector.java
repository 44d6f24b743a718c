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
import io.valentia.chaos.safety.ControlSeal;
import io.valentia.chaos.safety.FaultRecovery;
import io.valentia.chaos.safety.HaltSwitch;
import io.valentia.chaos.state.ChaosState;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos injector: the fault injector under its safety policy, the experiment runner, halt-all
 * and, when Kafka is there, the fault journal and the control listener with the dead-man switch.
 * Closing it stops the listener and reverts every fault still active.
 */
public final class ChaosInjector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChaosInjector.class);

  private final ChaosConfig config;
  private final FaultInjector injector;
  private final ExperimentRunner runner;
  private final HaltSwitch halt;
  private final ExperimentLoader loader;
  private final KafkaSettings kafka;
  private final Clock clock;
  private final FaultJournal journal;
  private final boolean ownsJournal;
  private final ChaosState state;
  private final boolean ownsState;
  private final String source;
  private ControlListener control;

  /**
   * An injector with state tables of its own (a command-line injector); blocks while they are read
   * (and, the first time after an upgrade, built from valentia.control).
   *
   * @param kafka where valentia.events, valentia.control and the state topics are; null to run
   *     without Kafka (no event-query probes, no control topic, no journal)
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
        kafka == null ? null : ChaosState.open(kafka, line -> LOG.info("{}", line)),
        true,
        null);
  }

  /**
   * An injector on the state tables of its process (the {@code chaos} service); they stay open when
   * it closes.
   */
  public ChaosInjector(
      ChaosState state,
      ChaosConfig config,
      FaultCatalog catalog,
      RunEvents events,
      String source,
      Clock clock) {
    this(config, catalog, state.kafka(), events, source, clock, state, false, null);
  }

  /**
   * An injector whose faults are recorded in {@code journal}, without state tables: it recovers
   * nothing and starts released.
   */
  public ChaosInjector(
      ChaosConfig config,
      FaultCatalog catalog,
      KafkaSettings kafka,
      RunEvents events,
      String source,
      Clock clock,
      FaultJournal journal) {
    this(config, catalog, kafka, events, source, clock, null, false, journal);
  }

  private ChaosInjector(
      ChaosConfig config,
      FaultCatalog catalog,
      KafkaSettings kafka,
      RunEvents events,
      String source,
      Clock clock,
      ChaosState state,
      boolean ownsState,
      FaultJournal journal) {
    this.config = config;
    this.kafka = kafka;
    this.clock = clock;
    this.source = source;
    this.state = state;
    this.ownsState = ownsState;
    this.ownsJournal = journal == null;
    this.journal =
        journal != null
            ? journal
            : state == null
                ? FaultJournal.none()
                : new KafkaFaultJournal(kafka, state.faults(), source);
    this.injector = new FaultInjector(catalog, config.policy(), clock, this.journal);
    this.runner =
        new ExperimentRunner(injector, new EventProbes(kafka, clock), events, clock, source);
    this.halt = new HaltSwitch(injector, runner, events, source);
    this.loader = new ExperimentLoader(catalog);
  }

  /**
   * Reverts what killed injectors of this host left behind, from the open faults in
   * valentia.state.faults; blocks. Without state tables there is nothing to do.
   *
   * @return one line per fault reverted (or that could not be)
   */
  public List<String> recover() {
    if (state == null) {
      return List.of();
    }
    return new FaultRecovery(state.faults(), journal, source).recover();
  }

  /**
   * Starts following valentia.control (new halts, dead-man switch) and the halt switch in
   * valentia.state.schedules; needs Kafka.
   *
   * @param seal checks who sent each halt: only halts sealed by a role that may halt are applied
   */
  public synchronized ChaosInjector followControl(ControlSeal seal) {
    if (kafka != null && control == null) {
      control =
          new ControlListener(
                  kafka,
                  seal,
                  state == null ? null : state.control(),
                  halt,
                  injector,
                  runner,
                  config.controlLease(),
                  clock)
              .start();
    }
    return this;
  }

  /** The state tables; null without Kafka or with a journal of the caller's. */
  public ChaosState state() {
    return state;
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
    if (ownsState && state != null) {
      state.close();
    }
  }
}
