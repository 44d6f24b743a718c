package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.safety.HaltBroadcast;
import io.valentia.chaos.state.ChaosState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventPublisher.RecordPosition;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.ChaosHalt;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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
      "With an API token (--token or VALENTIA_TOKEN) it goes through the platform's"
          + " POST /api/v1/halt at --url / VALENTIA_URL (default http://127.0.0.1:8080), which"
          + " reverts this platform's faults at once and tells every other injector; when no"
          + " platform answers there (or without a token) it writes to valentia.control directly.",
      "Exit 0 when the command is on the control topic, 1 when Kafka does not take it or the"
          + " platform refuses it."
    })
public final class HaltCommand implements Callable<Integer> {
  static final String DEFAULT_URL = "http://127.0.0.1:8080";

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

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "the platform's web address (VALENTIA_URL; default " + DEFAULT_URL + ")")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "API token (VALENTIA_TOKEN)")
  String token;

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
    String apiToken = pick(token, "VALENTIA_TOKEN", null);
    if (apiToken != null) {
      Integer sent = throughApi(apiToken);
      if (sent != null) {
        return sent;
      }
    }
    return throughKafka();
  }

  /**
   * Sends the halt through the platform's API.
   *
   * @return the exit code, or null when no platform with the chaos service answers at the URL (the
   *     caller falls back to Kafka)
   */
  private Integer throughApi(String apiToken) throws InterruptedException {
    String base = pick(url, "VALENTIA_URL", DEFAULT_URL);
    base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    URI uri;
    try {
      uri = URI.create(base + "/api/v1/halt");
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--url is not an address: " + e.getMessage());
    }
    ObjectNode body = EventCodec.MAPPER.createObjectNode().put("release", release).put("by", who());
    if (reason() != null) {
      body.put("reason", reason());
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(2))
              .build()
              .send(
                  HttpRequest.newBuilder(uri)
                      .header("Authorization", "Bearer " + apiToken)
                      .header("Content-Type", "application/json")
                      .timeout(Duration.ofSeconds(15))
                      .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println(
              "valentia: no platform answers at " + base + " (" + e + "); halting through Kafka");
      return null;
    }
    if (response.statusCode() == 404) {
      spec.commandLine()
          .getErr()
          .println(
              "valentia: the platform at "
                  + base
                  + " runs no chaos service; halting through Kafka");
      return null;
    }
    if (response.statusCode() != 200) {
      throw new ValentiaException(
          "the platform at "
              + base
              + " refused the halt ("
              + response.statusCode()
              + "): "
              + response.body());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(response.body());
    } else {
      int reverted = 0;
      try {
        reverted = EventCodec.MAPPER.readTree(response.body()).path("revertedFaults").asInt();
      } catch (IOException e) {
        // the answer is informative only
      }
      out.printf(
          "%s sent to every injector through %s%s%n",
          release ? "release of the halt" : "HALT",
          base,
          release ? "" : " (" + reverted + " fault(s) reverted there)");
    }
    out.flush();
    return 0;
  }

  private static String pick(String flag, String variable, String fallback) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String env = System.getenv(variable);
    return env != null && !env.isBlank() ? env : fallback;
  }

  private Integer throughKafka() throws Exception {
    String who = who();
    String reason = reason();
    ChaosHalt halt = new ChaosHalt(who, reason, release, 0);
    CloudEvent command =
        CloudEvent.of(halt).source("/cli/" + ExperimentCommand.hostname()).subject("halt").build();
    Vertx vertx = Vertx.vertx();
    KafkaEventPublisher publisher =
        new KafkaEventPublisher(vertx, connection.settings(), "chaos-halt");
    io.valentia.chaos.safety.ControlSeal seal = connection.seal();
    try (ChaosState state =
        ChaosState.open(
            connection.settings(), line -> System.err.println("valentia: " + line), seal)) {
      RecordPosition position =
          new HaltBroadcast(state.control(), publisher, seal)
              .send(command, halt, Connection.sender())
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
