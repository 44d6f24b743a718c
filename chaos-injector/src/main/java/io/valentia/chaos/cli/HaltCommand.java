package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Durations;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code valentia halt [--reason TEXT] [--release]}: through the platform's API when it can, else
 * through Kafka.
 *
 * <p>The API path loads no Kafka, Vert.x or logging classes (a halt has to take effect in well
 * under a second of the command starting); the Kafka path lives in {@link HaltThroughKafka} and is
 * loaded only when the API cannot be used.
 */
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
          + " reverts that platform's faults at once and tells every other injector. Without a"
          + " token, or when no platform answers there within --api-timeout, it writes the halt to"
          + " valentia.control itself, and gives up when Kafka does not answer within"
          + " --kafka-timeout. It says which way it went.",
      "Exit 0 when the halt was applied by the platform or is on the control topic, 1 when"
          + " neither took it or the platform refused it."
    })
public final class HaltCommand implements Callable<Integer> {
  /** How long the API may take to connect and to answer before the halt goes through Kafka. */
  static final Duration DEFAULT_API_TIMEOUT = Duration.ofSeconds(2);

  /** How long Kafka may take to answer before the fallback gives up. */
  static final Duration DEFAULT_KAFKA_TIMEOUT = Duration.ofSeconds(5);

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

  @Mixin ApiOptions platform;

  @Option(
      names = "--api-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "how long the platform may take to connect and to answer before the halt goes through"
              + " Kafka instead (default 2s)")
  Duration apiTimeout = DEFAULT_API_TIMEOUT;

  @Option(
      names = "--kafka-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "how long Kafka may take to answer before a halt through Kafka gives up"
              + " (VALENTIA_HALT_KAFKA_TIMEOUT; default 5s)")
  Duration kafkaTimeout;

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

  /** {@code --kafka-timeout}, else {@code VALENTIA_HALT_KAFKA_TIMEOUT}, else 5 s. */
  Duration kafkaTimeout() {
    if (kafkaTimeout != null) {
      return kafkaTimeout;
    }
    String env = System.getenv("VALENTIA_HALT_KAFKA_TIMEOUT");
    if (env == null || env.isBlank()) {
      return DEFAULT_KAFKA_TIMEOUT;
    }
    return Durations.parse(env)
        .filter(d -> !d.isZero())
        .orElseThrow(
            () ->
                new ParameterException(
                    spec.commandLine(),
                    "VALENTIA_HALT_KAFKA_TIMEOUT must be a duration such as 5s or 500ms, found \""
                        + env
                        + "\""));
  }

  @Override
  public Integer call() throws Exception {
    Duration kafkaBound = kafkaTimeout(); // a bad value is bad usage before anything is sent
    PrintWriter err = spec.commandLine().getErr();
    if (platform.token() == null) {
      err.println(
          "valentia: no API token (--token or VALENTIA_TOKEN) to halt through the platform's API;"
              + " halting through Kafka");
      err.flush();
    } else {
      Integer sent = throughApi();
      if (sent != null) {
        return sent;
      }
    }
    return new HaltThroughKafka(connection, spec.commandLine(), json, kafkaBound)
        .send(who(), reason(), release);
  }

  /**
   * Sends the halt through the platform's API.
   *
   * @return the exit code, or null when no platform with the chaos service answers at the URL in
   *     time (the caller falls back to Kafka)
   */
  private Integer throughApi() {
    PlatformClient client = platform.client().timeouts(apiTimeout, apiTimeout);
    String base = client.base();
    ObjectNode body = JSON.createObjectNode().put("release", release).put("by", who());
    if (reason() != null) {
      body.put("reason", reason());
    }
    PrintWriter err = spec.commandLine().getErr();
    PlatformClient.Answer answer;
    try {
      answer = client.send("POST", "/api/v1/halt", body.toString());
    } catch (PlatformClient.Unreachable e) {
      err.println(
          e.timedOut()
              ? "valentia: the platform at "
                  + base
                  + " did not answer within "
                  + apiTimeout.toMillis()
                  + " ms (--api-timeout); halting through Kafka"
              : "valentia: no platform answers at "
                  + base
                  + " ("
                  + e.getCause()
                  + "); halting through Kafka");
      err.flush();
      return null;
    }
    if (answer.status() == 404) {
      err.println(
          "valentia: the platform at " + base + " runs no chaos service; halting through Kafka");
      err.flush();
      return null;
    }
    if (answer.status() != 200) {
      throw new ValentiaException(
          "the platform at "
              + base
              + " refused the halt ("
              + answer.status()
              + "): "
              + answer.text());
    }
    JsonNode tree;
    try {
      tree = answer.body();
    } catch (ValentiaException e) {
      tree = JSON.createObjectNode(); // the answer is informative only
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode printed = tree.isObject() ? (ObjectNode) tree : JSON.createObjectNode();
      out.println(printed.put("through", "api").put("url", base));
    } else {
      out.printf(
          "%s through the platform's API at %s: %s%n",
          release ? "release of the halt" : "HALT",
          base,
          release
              ? "sent to every injector"
              : tree.path("revertedFaults").asInt()
                  + " fault(s) reverted there, sent to every injector");
    }
    out.flush();
    return 0;
  }

  /** A plain mapper: the event codec's would cost the command its start-up for nothing. */
  private static final JsonMapper JSON = new JsonMapper();

  /** {@code 500ms}, {@code 2s}, {@code 1.5}: a duration above zero. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Durations.parse(value)
          .filter(d -> !d.isZero())
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "a duration above zero such as 500ms or 5s, found \"" + value + "\""));
    }
  }
}
