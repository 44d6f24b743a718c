package io.valentia.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.app.Valentia;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.KafkaAddress;
import io.valentia.eventbus.cli.PlatformClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code valentia status}: the platform's health, like {@code ceph -s}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the platform's health, its checks, services and Kafka topics (GET /health).",
      "Exit 0 when HEALTH_OK, 1 when HEALTH_WARN, HEALTH_ERR or unreachable."
    })
public final class StatusCommand implements Callable<Integer> {
  @Mixin ApiOptions platform;
  @Mixin KafkaAddress kafka; // accepted like every command's that talks to a platform

  @Option(names = "--json", description = "print the /health JSON as it is")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PlatformClient.Answer answer =
        platform
            .client()
            .anonymous() // the health report is public
            .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
            .get("/health");
    JsonNode report = answer.body();
    if (!report.has("status")) {
      throw new ValentiaException(
          answer.address() + " answered " + answer.status() + ": " + answer.text());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(report);
    } else {
      print(report, out);
    }
    out.flush();
    return "HEALTH_OK".equals(report.get("status").asText()) ? 0 : Valentia.PROBLEM;
  }

  /** Prints a report for people, in the layout of {@code ceph -s}. */
  static void print(JsonNode report, PrintWriter out) {
    out.println("  cluster:");
    out.println("    health: " + report.get("status").asText());
    for (Iterator<Map.Entry<String, JsonNode>> it = report.path("checks").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> check = it.next();
      out.printf(
          "            [%s] %s: %s%s%n",
          check.getValue().path("severity").asText().replace("HEALTH_", ""),
          check.getKey(),
          check.getValue().path("summary").asText(),
          check.getValue().path("muted").asBoolean() ? " (muted)" : "");
      for (JsonNode line : check.getValue().path("detail")) {
        out.println("                " + line.asText());
      }
    }
    out.println();
    out.println("  services:");
    for (Iterator<Map.Entry<String, JsonNode>> it = report.path("services").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> service = it.next();
      String detail = service.getValue().path("detail").asText("");
      out.printf(
          "    %-12s %s%s%n",
          service.getKey() + ":",
          service.getValue().path("state").asText(),
          detail.isEmpty() ? "" : " (" + detail + ")");
    }
    JsonNode kafka = report.path("kafka");
    out.println();
    out.println("  kafka:");
    out.printf(
        "    bootstrap:   %s%s%s%n",
        kafka.path("bootstrap").asText(),
        kafka.path("embedded").asBoolean() ? " (embedded)" : "",
        kafka.path("reachable").asBoolean(true) ? "" : " UNREACHABLE");
    for (Iterator<Map.Entry<String, JsonNode>> it = kafka.path("topics").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> topic = it.next();
      long records = topic.getValue().path("records").asLong(-1);
      out.printf(
          "    %-24s %d partitions, replication %d%s%n",
          topic.getKey(),
          topic.getValue().path("partitions").asInt(),
          topic.getValue().path("replicationFactor").asInt(),
          records >= 0 ? ", " + records + " records" : "");
    }
  }
}
