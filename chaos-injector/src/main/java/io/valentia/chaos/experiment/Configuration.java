package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment's {@code configuration} and {@code secrets}: values written inline or read from the
 * environment ({@code {"type": "env", "key": "NAME", "default": ...}}), substituted into the
 * activities wherever {@code ${name}} appears. A string that is exactly {@code ${name}} takes the
 * value with its JSON type; elsewhere the value is inserted as text (see {@link Substitution}).
 */
public final class Configuration {
  private final Map<String, JsonNode> values;
  private final List<JsonNode> secrets;

  private Configuration(Map<String, JsonNode> values, List<JsonNode> secrets) {
    this.values = values;
    this.secrets = secrets;
  }

  /**
   * Reads the values of {@code document}'s configuration and secrets from {@code environment}.
   *
   * @param problems receives every value that cannot be resolved (e.g. an unset variable without a
   *     default)
   */
  public static Configuration resolve(
      JsonNode document,
      Map<String, String> environment,
      List<ExperimentProblem> problems,
      SourceLocations locations) {
    Map<String, JsonNode> values = new LinkedHashMap<>();
    List<JsonNode> secretValues = new java.util.ArrayList<>();
    JsonNode configuration = document.path("configuration");
    for (Iterator<Map.Entry<String, JsonNode>> it = configuration.fields(); it.hasNext(); ) {
      var entry = it.next();
      String path = "configuration." + entry.getKey();
      JsonNode value = value(entry.getValue(), environment, path, problems, locations);
      if (value != null) {
        values.put(entry.getKey(), value);
      }
    }
    JsonNode secrets = document.path("secrets");
    for (Iterator<Map.Entry<String, JsonNode>> ns = secrets.fields(); ns.hasNext(); ) {
      var namespace = ns.next();
      for (Iterator<Map.Entry<String, JsonNode>> it = namespace.getValue().fields();
          it.hasNext(); ) {
        var entry = it.next();
        String path = "secrets." + namespace.getKey() + "." + entry.getKey();
        JsonNode value = value(entry.getValue(), environment, path, problems, locations);
        if (value != null) {
          values.putIfAbsent(entry.getKey(), value);
          secretValues.add(value);
        }
      }
    }
    return new Configuration(values, List.copyOf(secretValues));
  }

  /** For tests and dry runs: fixed values. */
  public static Configuration of(Map<String, JsonNode> values) {
    return new Configuration(Map.copyOf(values), List.of());
  }

  /**
   * What hides the resolved values of the secrets: each one as text, and each string inside a
   * structured one.
   */
  public Redaction redaction() {
    List<String> texts = new java.util.ArrayList<>();
    secrets.forEach(v -> collect(v, texts));
    return Redaction.of(texts);
  }

  private static void collect(JsonNode value, List<String> texts) {
    if (value.isValueNode()) {
      if (!value.isNull()) {
        texts.add(value.asText());
      }
    } else {
      texts.add(value.toString());
      value.forEach(v -> collect(v, texts));
    }
  }

  private static JsonNode value(
      JsonNode declared,
      Map<String, String> environment,
      String path,
      List<ExperimentProblem> problems,
      SourceLocations locations) {
    if (!declared.isObject() || !declared.has("type")) {
      return declared;
    }
    String type = declared.path("type").asText();
    if (!type.equals("env")) {
      problems.add(
          new ExperimentProblem(
              path + ".type",
              locations.of(path + ".type"),
              "only type env is supported for configuration and secrets, found " + type));
      return null;
    }
    JsonNode key = declared.path("key");
    if (!key.isTextual() || key.asText().isBlank()) {
      problems.add(
          new ExperimentProblem(
              path + ".key", locations.of(path), "an env entry needs the variable's name in key"));
      return null;
    }
    String found = environment.get(key.asText());
    if (found != null) {
      return typed(found, declared.path("env_var_type").asText("str"));
    }
    if (declared.has("default")) {
      return declared.get("default");
    }
    problems.add(
        new ExperimentProblem(
            path,
            locations.of(path),
            "environment variable " + key.asText() + " is not set and there is no default"));
    return null;
  }

  private static JsonNode typed(String text, String type) {
    try {
      return switch (type) {
        case "int" -> com.fasterxml.jackson.databind.node.LongNode.valueOf(Long.parseLong(text));
        case "float" ->
            com.fasterxml.jackson.databind.node.DoubleNode.valueOf(Double.parseDouble(text));
        case "bool" ->
            com.fasterxml.jackson.databind.node.BooleanNode.valueOf(
                List.of("1", "true", "yes", "on")
                    .contains(text.toLowerCase(java.util.Locale.ROOT)));
        case "json" -> io.valentia.eventbus.EventCodec.MAPPER.readTree(text);
        default -> TextNode.valueOf(text);
      };
    } catch (RuntimeException | java.io.IOException e) {
      return TextNode.valueOf(text);
    }
  }

  /** The names that have a value. */
  public java.util.Set<String> names() {
    return values.keySet();
  }

  /**
   * A copy of {@code node} with every {@code ${name}} replaced.
   *
   * @param unknown receives placeholders that have no value
   */
  public JsonNode substitute(JsonNode node, java.util.Set<String> unknown) {
    return Substitution.substitute(node, values, unknown);
  }
}
