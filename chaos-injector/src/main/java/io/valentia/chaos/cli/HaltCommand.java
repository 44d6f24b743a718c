package io.valentia.chaos.cli;

import io.valentia.chaos.safety.HaltBroadcast;
import io.valentia.chaos.state.ChaosState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventPublisher.RecordPosition;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.ChaosHalt;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code valentia halt [--reason TEXT] [--release]}. */
@Command(
    name = "halt",
    mixinStandardHelpOptions = true,
    description = {
      "Halt all chaos: every injector that follows valentia.control reverts every active fault,"
          + " stops its runs (their rollbacks still run) and refuses new ones until released;"
          + " an injector started later reads the halt from valentia.state.schedules."
          + " Idempotent; audited as a chaos.halt event with who and why.",
      "Exit 0 when the command is on the control topic, 1 when Kafka does not take it."
    })
public final class HaltCommand implements Callable<Integer> {
  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      description = "why (kept in the audit; default for --release: \"released by NAME\")")
  String reason;

  @Option(names = "--release", description = "lift the halt: injectors accept runs again")
  boolean release;

  @Option(names = "--by", paramLabel = "NAME", description = "who asks (default: the user name)")
  String by;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Mixin Connection connection;
  @Spec CommandSpec spec;

  /** Who asks: {@code --by}, else the user name. */
  String who() {
    return by != null ? by : System.getProperty("user.name", "unknown");
  }

  /** {@code --reason}; a release without one says who released. */
  String reason() {
    return reason == null && release ? "released by " + who() : reason;
  }

  @Override
  public Integer call() throws Exception {
    String who = who();
    String reason = reason();
    ChaosHalt halt = new ChaosHalt(who, reason, release, 0);
    CloudEvent command =
        CloudEvent.of(halt).source("/cli/" + ExperimentCommand.hostname()).subject("halt").build();
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(vertx, connection.settings(), "chaos-halt");
    try (ChaosState state =
        ChaosState.open(connection.settings(), line -> System.err.println("valentia: " + line))) {
      RecordPosition position =
          new HaltBroadcast(state.control(), publisher)
              .send(command, halt)
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            EventCodec.MAPPER
                .createObjectNode()
                .put("id", command.id())
                .put("released", release)
                .put("by", who)
                .put("reason", reason)
                .put("topic", position.topic())
                .put("offset", position.offset()));
      } else {
        out.printf(
            "%s sent to every injector (%s offset %d)%n",
            release ? "release of the halt" : "HALT", position.topic(), position.offset());
      }
      out.flush();
      return 0;
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException
        | ValentiaException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ValentiaException(
          "Kafka at "
              + connection.described()
              + " did not take the halt: "
              + cause.getMessage()
              + " (is the platform up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP)",
          cause);
    } finally {
      publisher.close();
      vertx.close();
    }
  }
}
