package io.valentia.chaos.cli;

import io.valentia.chaos.safety.ControlSeal;
import io.valentia.chaos.safety.HaltBroadcast;
import io.valentia.chaos.state.ChaosState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.EventPublisher.RecordPosition;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.ChaosHalt;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/**
 * A halt (or its release) written to {@code valentia.control} and the halt switch by the command
 * itself, for when no platform's API takes it. Gives up, without sending anything, when Kafka does
 * not answer within its bound.
 */
final class HaltThroughKafka {
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private final Connection connection;
  private final CommandLine commandLine;
  private final boolean json;
  private final Duration bound;

  HaltThroughKafka(Connection connection, CommandLine commandLine, boolean json, Duration bound) {
    this.connection = connection;
    this.commandLine = commandLine;
    this.json = json;
    this.bound = bound;
  }

  /**
   * Sends the halt.
   *
   * @return 0 once it is on the control topic
   * @throws ValentiaException when Kafka does not answer within the bound or does not take it
   */
  int send(String who, String reason, boolean release) throws InterruptedException {
    if (!connection.reachable(bound)) {
      throw new ValentiaException(
          "Kafka at "
              + connection.described()
              + " did not answer within "
              + describe(bound)
              + " (--kafka-timeout, VALENTIA_HALT_KAFKA_TIMEOUT); the "
              + (release ? "release" : "halt")
              + " was NOT sent. Start the platform, give its API with --url and --token, or set"
              + " --kafka / VALENTIA_KAFKA_BOOTSTRAP");
    }
    ChaosHalt halt = new ChaosHalt(who, reason, release, 0);
    CloudEvent command =
        CloudEvent.of(halt).source("/cli/" + ExperimentCommand.hostname()).subject("halt").build();
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(vertx, connection.settings(), "chaos-halt");
    ControlSeal seal = connection.seal();
    try (ChaosState state =
        ChaosState.open(
            connection.settings(), line -> System.err.println("valentia: " + line), seal)) {
      RecordPosition position =
          new HaltBroadcast(state.control(), publisher, seal)
              .send(command, halt, Connection.sender())
              .toCompletionStage()
              .toCompletableFuture()
              .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      PrintWriter out = commandLine.getOut();
      if (json) {
        out.println(
            EventCodec.MAPPER
                .createObjectNode()
                .put("id", command.id())
                .put("released", release)
                .put("by", who)
                .put("reason", reason)
                .put("through", "kafka")
                .put("topic", position.topic())
                .put("offset", position.offset()));
      } else {
        out.printf(
            "%s sent to every injector through Kafka at %s (%s offset %d)%n",
            release ? "release of the halt" : "HALT",
            connection.described(),
            position.topic(),
            position.offset());
      }
      out.flush();
      return 0;
    } catch (ExecutionException | TimeoutException | ValentiaException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ValentiaException(
          "Kafka at "
              + connection.described()
              + " did not take the "
              + (release ? "release" : "halt")
              + ": "
              + cause.getMessage()
              + " (is the platform up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP)",
          cause);
    } finally {
      publisher.close();
      vertx.close();
    }
  }

  private static String describe(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
