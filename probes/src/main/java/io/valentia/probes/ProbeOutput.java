package io.valentia.probes;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.health.HealthStatePublisher;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/**
 * Where a probe run from the command line sends its events: one JSON line each on standard output
 * (the CloudEvent with {@code --json}, else a line for people), and to Kafka when a bootstrap is
 * given, where a {@code health.changed} event also raises or clears its check in the health state
 * (as the probes of a running platform do). Closing it waits for every publication.
 */
public final class ProbeOutput implements AutoCloseable {
  private final PrintWriter out;
  private final boolean json;
  private final Vertx vertx;
  private final KafkaEventPublisher kafka;
  private final StateTables tables;
  private final EventPublisher publisher;

  /**
   * @param bootstrap Kafka bootstrap servers, or null to only print
   */
  public ProbeOutput(PrintWriter out, boolean json, String bootstrap) {
    this.out = out;
    this.json = json;
    if (bootstrap == null || bootstrap.isBlank()) {
      this.vertx = null;
      this.kafka = null;
      this.tables = null;
      this.publisher = null;
    } else {
      KafkaSettings settings =
          KafkaSettings.forCommandLine(
              bootstrap,
              "valentia-probe",
              io.valentia.eventbus.security.KafkaClientSecurity.forCommand(
                  null, null, io.valentia.eventbus.security.KafkaRole.PROBES));
      this.vertx = Vertx.vertx();
      this.kafka = new KafkaEventPublisher(vertx, settings, "probe-cli");
      this.tables = new StateTables(settings);
      this.publisher = HealthStatePublisher.of(kafka, tables);
    }
  }

  /** The bootstrap from a flag, else {@code VALENTIA_KAFKA_BOOTSTRAP}, else null. */
  public static String bootstrap(String flag) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String env = System.getenv("VALENTIA_KAFKA_BOOTSTRAP");
    return env == null || env.isBlank() ? null : env;
  }

  /** Prints the event and publishes it when a broker is configured (waiting for the broker). */
  public void emit(CloudEvent event, String humanLine) {
    out.println(json ? EventCodec.instance().encodeToString(event) : humanLine);
    out.flush();
    if (publisher != null) {
      try {
        publisher
            .publish(event)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new ValentiaException("could not publish to Kafka: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void close() {
    if (publisher != null) {
      tables.close();
      kafka.close();
      vertx.close();
    }
  }
}
