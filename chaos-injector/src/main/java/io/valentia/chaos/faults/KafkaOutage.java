package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.service.BrokerControl;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code kafka-outage}: stops the platform's embedded Kafka broker for the duration and starts it
 * again (same port, same data). Available only in a platform process that runs the embedded broker;
 * elsewhere every use is a problem naming why. The revert needs no Kafka: it starts the broker in
 * this process, so the duration, halt-all ({@code POST /api/v1/halt}) and the dead-man switch all
 * end the outage while Kafka is down.
 */
final class KafkaOutage implements Fault {
  static final String UNAVAILABLE =
      "kafka-outage stops the platform's embedded Kafka broker, and this injector runs none (an"
          + " external cluster, or a command outside the platform): run the experiment on a"
          + " platform started without --kafka, through POST /api/v1/experiments/runs";

  private final BrokerControl broker;

  /**
   * @param broker the broker to stop; null when this process runs none
   */
  KafkaOutage(BrokerControl broker) {
    this.broker = broker;
  }

  @Override
  public String name() {
    return "kafka-outage";
  }

  @Override
  public String summary() {
    return broker == null
        ? "not available here: " + UNAVAILABLE
        : "stop the embedded Kafka broker for the duration, then start it again; args: duration";
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.onlyKnown(Set.of("duration"));
    if (broker == null) {
      arguments.problem(UNAVAILABLE);
      return List.of();
    }
    return List.of(new Target("host", broker.bootstrapServers()));
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    if (broker == null) {
      throw new FaultException(UNAVAILABLE);
    }
    if (!broker.running()) {
      throw new FaultException("the embedded Kafka broker is already stopped");
    }
    broker.stop();
    return () -> {
      try {
        broker.start();
      } catch (ValentiaException e) {
        throw new FaultException(
            "the embedded Kafka broker did not start again: " + e.getMessage(), e);
      }
    };
  }
}
