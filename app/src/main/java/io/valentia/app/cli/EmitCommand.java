package io.valentia.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.KafkaOptions;
import io.valentia.eventbus.health.HealthStatePublisher;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.EventPublisher.RecordPosition;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateTables;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia emit}: publishes one event. */
@Command(
    name = "emit",
    mixinStandardHelpOptions = true,
    description = {
      "Publish one CloudEvent on valentia.events. Valentia's own types (io.valentia.*) are"
          + " checked against their JSON Schema first; any other type is yours, with any JSON"
          + " data. A health.changed event also raises or clears its check in"
          + " valentia.state.health, as a probe's does.",
      "Exit 2 when the event is not valid (every problem is listed), 1 when Kafka does not take"
          + " it."
    })
public final class EmitCommand implements Callable<Integer> {
  @Mixin ApiOptions api; // accepted like every command's that talks to a platform
  @Mixin KafkaOptions kafkaOptions;

  @Option(
      names = "--type",
      required = true,
      paramLabel = "T",
      description = "event type, e.g. io.valentia.probe.mtu.ping.v1 or com.example.deploy.v1")
  String type;

  @Option(names = "--subject", paramLabel = "S", description = "what it is about (the record key)")
  String subject;

  @Option(
      names = "--source",
      paramLabel = "URI",
      description = "who produced it (default /cli/HOSTNAME)")
  String source;

  @Option(
      names = "--severity",
      paramLabel = "X",
      description = "info, warning or critical (default: the type's, else info)")
  String severity;

  @Option(names = "--experiment-id", paramLabel = "ID", description = "the chaos experiment")
  String experimentId;

  @Option(names = "--incident-id", paramLabel = "ID", description = "the incident")
  String incidentId;

  @Option(
      names = "--data",
      paramLabel = "JSON",
      description = "the data as JSON; @FILE reads a file, - reads standard input")
  String data;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CloudEvent event = event();
    EventCodec.instance().validateData(event);
    KafkaSettings settings = kafkaOptions.settings(io.valentia.eventbus.security.KafkaRole.PROBES);
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher kafka = new KafkaEventPublisher(vertx, settings, "emit");
    // a health.changed event also raises or clears its check in the health state, as a probe's does
    StateTables tables =
        EventType.HEALTH_CHANGED.type().equals(event.type()) ? new StateTables(settings) : null;
    EventPublisher publisher = tables == null ? kafka : HealthStatePublisher.of(kafka, tables);
    try {
      RecordPosition position =
          publisher
              .publish(event)
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            EventCodec.MAPPER
                .createObjectNode()
                .put("id", event.id())
                .put("topic", position.topic())
                .put("partition", position.partition())
                .put("offset", position.offset()));
      } else {
        out.printf(
            "published %s to %s partition %d offset %d%n",
            event.id(), position.topic(), position.partition(), position.offset());
      }
      out.flush();
      return 0;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ValentiaException(
          "Kafka at "
              + kafkaOptions.described()
              + " did not take the event: "
              + cause.getMessage()
              + " (is the platform up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP)",
          cause);
    } finally {
      if (tables != null) {
        tables.close();
      }
      kafka.close();
      vertx.close();
    }
  }

  private CloudEvent event() {
    CloudEvent.Builder builder =
        CloudEvent.builder(type)
            .source(source != null ? source : "/cli/" + hostname())
            .subject(subject)
            .experimentId(experimentId)
            .incidentId(incidentId);
    if (severity != null) {
      builder.severity(
          Severity.parse(severity)
              .orElseThrow(
                  () ->
                      new ParameterException(
                          spec.commandLine(),
                          "--severity must be info, warning or critical, found " + severity)));
    } else {
      EventType.of(type).ifPresent(t -> builder.severity(t.defaultSeverity()));
    }
    if (data != null) {
      builder.data(parse(readData()));
    }
    CloudEvent event = builder.build();
    // the envelope goes through the same checks as anything read from Kafka
    return EventCodec.instance().decode(EventCodec.instance().encode(event));
  }

  private String readData() {
    try {
      if (data.equals("-")) {
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (data.startsWith("@")) {
        return Files.readString(Path.of(data.substring(1)));
      }
      return data;
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read --data " + data + ": " + e);
    }
  }

  private JsonNode parse(String text) {
    try {
      return EventCodec.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new InvalidEventException(
          InvalidEventException.Reason.NOT_JSON,
          "--data is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
