package io.valentia.notifications.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code valentia notify test|log|status}: the notification pipeline from the shell. */
@Command(
    name = "notify",
    mixinStandardHelpOptions = true,
    description = {
      "Send a test notification, read the delivery log, see the receivers' state",
      "through a running platform's API (/api/v1/notifications).",
      "Exit 1 when the platform refuses or a test message fails."
    },
    subcommands = {NotifyCommand.Test.class, NotifyCommand.Log.class, NotifyCommand.Status.class})
public final class NotifyCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a notify command: test, log or status");
  }

  /** Prints the API's refusal and returns 1, or returns 0 when it answered 2xx. */
  static int refused(PlatformClient.Answer answer, PrintWriter err) {
    if (answer.status() < 300) {
      return 0;
    }
    err.println(
        "the platform answered " + answer.status() + ": " + answer.body().path("error").asText());
    return 1;
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = "Send a test message to every integration of RECEIVER.")
  static final class Test implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "RECEIVER", description = "a receiver of notifications.receivers")
    String receiver;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() throws Exception {
      String body = EventCodec.MAPPER.createObjectNode().put("receiver", receiver).toString();
      PlatformClient.Answer answer = platform.send("POST", "/api/v1/notifications/test", body);
      PrintWriter out = spec.commandLine().getOut();
      if (refused(answer, spec.commandLine().getErr()) != 0) {
        return 1;
      }
      if (json) {
        out.println(answer.body());
        return 0;
      }
      out.println("test message to " + receiver + ": " + describe(answer.body()));
      return answer.body().path("outcome").asText("delivered").equals("delivered") ? 0 : 1;
    }
  }

  @Command(
      name = "log",
      mixinStandardHelpOptions = true,
      description = "The latest deliveries, newest first.")
  static final class Log implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Option(names = "--limit", defaultValue = "20", description = "how many (default 20)")
    int limit;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer answer = platform.get("/api/v1/notifications/log?limit=" + limit);
      PrintWriter out = spec.commandLine().getOut();
      if (refused(answer, spec.commandLine().getErr()) != 0) {
        return 1;
      }
      if (json) {
        out.println(answer.body());
        return 0;
      }
      if (answer.body().isEmpty()) {
        out.println("no notification yet");
      }
      for (JsonNode entry : answer.body()) {
        out.println(describe(entry));
      }
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "The receivers, their integrations and delivery state, and the routing tree.")
  static final class Status implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer answer = platform.get("/api/v1/notifications");
      PrintWriter out = spec.commandLine().getOut();
      if (refused(answer, spec.commandLine().getErr()) != 0) {
        return 1;
      }
      if (json) {
        out.println(answer.body());
        return 0;
      }
      JsonNode body = answer.body();
      out.println(
          (body.path("enabled").asBoolean() ? "routing" : "no route configured")
              + ", "
              + body.path("groups").asInt()
              + " group(s)");
      for (JsonNode receiver : body.path("receivers")) {
        out.println("receiver " + receiver.path("name").asText());
        for (JsonNode integration : receiver.path("integrations")) {
          out.println(
              "  " + integration.path("kind").asText() + " " + integration.path("url").asText());
        }
      }
      for (JsonNode state : body.path("delivery")) {
        out.println("delivery " + describe(state));
      }
      if (body.has("route")) {
        printRoute(out, body.get("route"), "");
      }
      return 0;
    }

    private static void printRoute(PrintWriter out, JsonNode route, String indent) {
      out.println(
          indent
              + "route "
              + (route.path("matchers").isEmpty() ? "(all)" : route.path("matchers").toString())
              + " -> "
              + route.path("receiver").asText()
              + (route.path("continue").asBoolean() ? " (continue)" : "")
              + " group_by "
              + route.path("group_by"));
      for (JsonNode child : route.path("routes")) {
        printRoute(out, child, indent + "  ");
      }
    }
  }

  /** One line for a JSON object: its fields as {@code key=value}. */
  static String describe(JsonNode node) {
    if (!node.isObject()) {
      return node.toString();
    }
    StringBuilder line = new StringBuilder();
    node.fields()
        .forEachRemaining(
            f -> {
              if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                if (line.length() > 0) {
                  line.append(' ');
                }
                line.append(f.getKey()).append('=').append(f.getValue().asText());
              }
            });
    return line.toString();
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
