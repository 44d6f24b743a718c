package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the provider of an activity (Chaos Toolkit's {@code provider/http}, {@code
 * provider/process}, {@code provider/python}, and Valentia's faults and event probes) and checks
 * what the schema cannot say: URL schemes, HTTP methods, timeouts and expected statuses, the fault
 * or probe named and its arguments, a python provider (which Valentia does not run). Part of one
 * {@link ExperimentChecker} pass.
 */
final class ProviderChecker {
  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  private final FaultCatalog faults;
  private final boolean checking;
  private final ProblemList problems;

  ProviderChecker(FaultCatalog faults, boolean checking, ProblemList problems) {
    this.faults = faults;
    this.checking = checking;
    this.problems = problems;
  }

  private void problem(String path, String message) {
    problems.add(path, message);
  }

  private void structure(String path) {
    problems.structure(path);
  }

  /** The provider of an activity; null when its structure is wrong. */
  Provider provider(JsonNode node, String path, String activityType, String activityName) {
    structure(path);
    if (!node.isObject()) {
      return null;
    }
    structure(path + ".type");
    return switch (node.path("type").asText("")) {
      case "http" -> http(node, path);
      case "process" -> process(node, path);
      case "python" -> python(node, path, activityName);
      case "valentia" -> valentia(node, path, activityType);
      default -> null;
    };
  }

  private Provider http(JsonNode node, String path) {
    structure(path + ".url");
    String url = text(node.path("url"));
    if (!url.isEmpty() && !Substitution.hasPlaceholder(url) && !url.matches("(?i)https?://.+")) {
      problem(path + ".url", "must be an http:// or https:// URL, found " + url);
    }
    String method = node.path("method").asText("GET").toUpperCase(Locale.ROOT);
    if (!HTTP_METHODS.contains(method)) {
      problem(path + ".method", "must be one of " + HTTP_METHODS.stream().sorted().toList());
    }
    structure(path + ".headers");
    Map<String, String> headers = new LinkedHashMap<>();
    if (node.path("headers").isObject()) {
      node.get("headers")
          .fields()
          .forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
    }
    Duration timeout = timeout(node, path);
    Integer expected = null;
    JsonNode es = node.path("expected_status");
    if (!es.isMissingNode()) {
      if (es.isInt()) {
        expected = es.asInt();
      } else if (!placeholder(es)) {
        problem(path + ".expected_status", "must be an HTTP status code");
      }
    }
    return new Provider.Http(
        url, method, Map.copyOf(headers), node.get("arguments"), timeout, expected);
  }

  private Provider process(JsonNode node, String path) {
    structure(path + ".path");
    String exe = text(node.path("path"));
    structure(path + ".arguments");
    List<String> args = new ArrayList<>();
    JsonNode a = node.path("arguments");
    if (a.isTextual()) {
      args.addAll(ShellWords.split(a.asText()));
    } else if (a.isArray()) {
      a.forEach(x -> args.add(x.asText()));
    } else if (a.isObject()) {
      a.fields()
          .forEachRemaining(
              e -> {
                args.add(e.getKey());
                if (!e.getValue().isNull() && !e.getValue().asText().isEmpty()) {
                  args.add(e.getValue().asText());
                }
              });
    }
    structure(path + ".env");
    Map<String, String> env = new LinkedHashMap<>();
    if (node.path("env").isObject()) {
      node.get("env")
          .fields()
          .forEachRemaining(
              v -> {
                structure(path + ".env." + v.getKey());
                if (v.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")
                    && v.getValue().isValueNode()
                    && !v.getValue().isNull()) {
                  env.put(v.getKey(), v.getValue().asText());
                }
              });
    }
    return new Provider.Process(
        exe, List.copyOf(args), timeout(node, path), Collections.unmodifiableMap(env));
  }

  private Provider python(JsonNode node, String path, String activityName) {
    String module = node.path("module").asText("?");
    problem(
        path,
        "activity '"
            + activityName
            + "' needs the python provider ("
            + module
            + "."
            + node.path("func").asText("?")
            + "), which is not supported: Valentia runs http, process and valentia"
            + " providers; the experiment will not run");
    return new Provider.Python(module, node.path("func").asText(""));
  }

  private Provider valentia(JsonNode node, String path, String activityType) {
    boolean fault = node.has("fault");
    boolean probe = node.has("probe");
    if (fault == probe) {
      problem(path, "a valentia provider names either a fault (for an action) or a probe");
      return null;
    }
    Arguments args =
        checking ? Arguments.checking(node.get("arguments")) : Arguments.of(node.get("arguments"));
    JsonNode arguments =
        node.path("arguments").isMissingNode()
            ? EventCodec.MAPPER.createObjectNode()
            : node.get("arguments");
    if (fault) {
      String name = node.path("fault").asText("");
      if (!activityType.equals("action")) {
        problem(path + ".fault", "a fault is injected by an action, not a " + activityType);
      }
      faults.check(name, args).forEach(p -> problem(path + ".arguments", p));
      if (!faults.has(name)) {
        problems.removeIf(
            p -> p.path().equals(path + ".arguments") && p.message().startsWith("unknown fault"));
        problem(
            path + ".fault",
            "unknown fault " + name + " (known: " + String.join(", ", faults.names()) + ")");
      }
      return new Provider.Fault(name, arguments);
    }
    String name = node.path("probe").asText("");
    if (!activityType.equals("probe")) {
      problem(path + ".probe", "an event-query probe is a probe, not an " + activityType);
    }
    if (!EventProbes.NAMES.contains(name)) {
      problem(
          path + ".probe",
          "unknown probe " + name + " (known: " + String.join(", ", EventProbes.NAMES) + ")");
    } else {
      EventProbes.check(name, args).forEach(p -> problem(path + ".arguments", p));
    }
    return new Provider.EventProbe(name, arguments);
  }

  /** The activity's timeout; null when it gives none (the configured default applies). */
  private Duration timeout(JsonNode node, String path) {
    JsonNode t = node.path("timeout");
    if (t.isMissingNode() || t.isNull()) {
      return null;
    }
    if (t.isArray() && t.size() == 2 && t.get(1).isNumber()) {
      return Durations.parse(t.get(0))
          .orElse(Duration.ZERO)
          .plus(Durations.parse(t.get(1)).orElse(Duration.ZERO));
    }
    if (placeholder(t)) {
      return null;
    }
    return Durations.parse(t)
        .filter(d -> !d.isZero())
        .orElseGet(
            () -> {
              problem(path + ".timeout", "must be a positive number of seconds, found " + t);
              return null;
            });
  }

  /** Whether {@code value} is left to the run: a placeholder in a document being checked. */
  private boolean placeholder(JsonNode value) {
    return checking && Substitution.hasPlaceholder(value);
  }

  private static String text(JsonNode value) {
    return ExperimentChecker.text(value);
  }
}
