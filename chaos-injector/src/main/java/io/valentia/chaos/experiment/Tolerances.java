package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import io.valentia.eventbus.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Chaos Toolkit tolerances: how a probe's output is judged. A boolean, integer, string or list
 * tolerance compares with the output (with the {@code status} of an HTTP or process output); an
 * object tolerance is a {@code regex}, {@code jsonpath}, {@code range} or {@code probe}, each with
 * an optional {@code target} naming the field of the output to look at.
 */
public final class Tolerances {
  static final Set<String> TYPES = Set.of("regex", "jsonpath", "range", "probe");
  private static final com.jayway.jsonpath.Configuration JSON_PATH =
      com.jayway.jsonpath.Configuration.builder()
          .jsonProvider(new JacksonJsonNodeJsonProvider(EventCodec.MAPPER))
          .mappingProvider(new JacksonMappingProvider(EventCodec.MAPPER))
          .options(Option.ALWAYS_RETURN_LIST, Option.SUPPRESS_EXCEPTIONS)
          .build();

  private Tolerances() {}

  /** Whether a probe met its tolerance, and why not. */
  public record Verdict(boolean met, String reason) {
    static Verdict of(boolean met, String expected, JsonNode found) {
      return new Verdict(met, met ? null : "expected " + expected + ", found " + brief(found));
    }
  }

  /**
   * Problems of a tolerance as written (messages relative to {@code path}).
   *
   * @param probeCheck validates a probe tolerance's activity
   */
  static List<String> problems(
      JsonNode tolerance, BiFunction<JsonNode, String, List<String>> probeCheck, String path) {
    List<String> problems = new ArrayList<>();
    if (tolerance.isBoolean()
        || tolerance.isNumber()
        || tolerance.isTextual()
        || tolerance.isArray()) {
      return problems;
    }
    if (!tolerance.isObject()) {
      problems.add(
          "a tolerance is a boolean, number, string, list or a typed mapping, found " + tolerance);
      return problems;
    }
    String type = tolerance.path("type").asText("");
    switch (type) {
      case "regex" -> {
        if (!tolerance.path("pattern").isTextual()) {
          problems.add("pattern: a regex tolerance needs a pattern");
        } else {
          try {
            Pattern.compile(tolerance.path("pattern").asText());
          } catch (PatternSyntaxException e) {
            problems.add("pattern: not a valid regular expression: " + e.getDescription());
          }
        }
      }
      case "jsonpath" -> {
        if (!tolerance.path("path").isTextual()) {
          problems.add("path: a jsonpath tolerance needs a path");
        } else {
          try {
            JsonPath.compile(tolerance.path("path").asText());
          } catch (RuntimeException e) {
            problems.add("path: not a valid JSONPath: " + e.getMessage());
          }
        }
      }
      case "range" -> {
        JsonNode range = tolerance.path("range");
        if (!range.isArray()
            || range.size() != 2
            || !range.get(0).isNumber()
            || !range.get(1).isNumber()) {
          problems.add("range: must be two numbers [low, high]");
        } else if (range.get(0).asDouble() > range.get(1).asDouble()) {
          problems.add("range: the low bound is above the high bound");
        }
      }
      case "probe" -> problems.addAll(probeCheck.apply(tolerance, path));
      default ->
          problems.add(
              "type: must be one of regex, jsonpath, range, probe, found "
                  + (type.isEmpty() ? "nothing" : type));
    }
    if (tolerance.has("target") && !tolerance.path("target").isTextual()) {
      problems.add("target: must be the name of a field of the output");
    }
    return problems;
  }

  /**
   * Judges {@code value} against {@code tolerance}.
   *
   * @param probeRunner runs a probe tolerance with the value as its {@code value} argument and
   *     returns whether it held
   */
  public static Verdict check(
      JsonNode tolerance, JsonNode value, BiFunction<JsonNode, JsonNode, Verdict> probeRunner) {
    if (tolerance.isBoolean()) {
      return Verdict.of(
          value.isBoolean() && value.asBoolean() == tolerance.asBoolean(),
          tolerance.toString(),
          value);
    }
    if (tolerance.isNumber()) {
      JsonNode compared = statusOf(value);
      return Verdict.of(
          compared.isNumber() && compared.decimalValue().compareTo(tolerance.decimalValue()) == 0,
          tolerance.toString(),
          compared);
    }
    if (tolerance.isTextual()) {
      JsonNode compared = textOf(value, null);
      return Verdict.of(
          compared.isTextual() && compared.asText().strip().equals(tolerance.asText()),
          tolerance.toString(),
          compared);
    }
    if (tolerance.isArray()) {
      JsonNode compared = statusOf(value);
      boolean in = false;
      for (JsonNode item : tolerance) {
        in |= equal(item, compared);
      }
      return Verdict.of(in, "one of " + tolerance, compared);
    }
    String target = tolerance.path("target").isTextual() ? tolerance.path("target").asText() : null;
    switch (tolerance.path("type").asText()) {
      case "regex" -> {
        JsonNode text = textOf(value, target);
        String s = text.isTextual() ? text.asText() : text.toString();
        boolean found = Pattern.compile(tolerance.path("pattern").asText()).matcher(s).find();
        return Verdict.of(found, "a match of /" + tolerance.path("pattern").asText() + "/", text);
      }
      case "jsonpath" -> {
        JsonNode document = jsonOf(value, target);
        JsonNode matches =
            JsonPath.using(JSON_PATH).parse(document).read(tolerance.path("path").asText());
        ArrayNode found =
            matches instanceof ArrayNode a ? a : EventCodec.MAPPER.createArrayNode().add(matches);
        if (tolerance.has("expect")) {
          JsonNode expect = tolerance.get("expect");
          boolean ok =
              expect.isArray() ? equal(expect, found) : !found.isEmpty() && allEqual(found, expect);
          return Verdict.of(ok, tolerance.path("path").asText() + " = " + expect, found);
        }
        boolean ok = !found.isEmpty() && allTruthy(found);
        return Verdict.of(ok, tolerance.path("path").asText() + " to match", found);
      }
      case "range" -> {
        JsonNode compared = target != null ? value.path(target) : statusOrSelf(value);
        double low = tolerance.path("range").get(0).asDouble();
        double high = tolerance.path("range").get(1).asDouble();
        boolean ok =
            compared.isNumber() && compared.asDouble() >= low && compared.asDouble() <= high;
        return Verdict.of(ok, "within " + tolerance.path("range"), compared);
      }
      case "probe" -> {
        return probeRunner.apply(tolerance, value);
      }
      default -> {
        return new Verdict(false, "unknown tolerance " + tolerance);
      }
    }
  }

  private static JsonNode statusOf(JsonNode value) {
    return value.isObject() && value.has("status") ? value.get("status") : value;
  }

  private static JsonNode statusOrSelf(JsonNode value) {
    return value.isObject() && value.has("status") && !value.has("value")
        ? value.get("status")
        : value.isObject() && value.has("value") ? value.get("value") : value;
  }

  /** The text to look at: the target, else a process's stdout or an HTTP body. */
  private static JsonNode textOf(JsonNode value, String target) {
    if (target != null) {
      return value.path(target);
    }
    if (value.isObject() && value.has("stdout")) {
      return value.get("stdout");
    }
    if (value.isObject() && value.has("body")) {
      return value.get("body");
    }
    return value;
  }

  private static JsonNode jsonOf(JsonNode value, String target) {
    JsonNode node = target != null ? value.path(target) : value;
    if (node.isTextual()) {
      try {
        return EventCodec.MAPPER.readTree(node.asText());
      } catch (java.io.IOException e) {
        return node;
      }
    }
    return node;
  }

  private static boolean equal(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static boolean allEqual(ArrayNode found, JsonNode expect) {
    for (JsonNode item : found) {
      if (!equal(item, expect)) {
        return false;
      }
    }
    return true;
  }

  private static boolean allTruthy(ArrayNode found) {
    for (JsonNode item : found) {
      if (item.isNull()
          || (item.isBoolean() && !item.asBoolean())
          || (item.isNumber() && item.asDouble() == 0)
          || (item.isTextual() && item.asText().isEmpty())
          || (item.isContainerNode() && item.isEmpty())) {
        return false;
      }
    }
    return true;
  }

  static String brief(JsonNode value) {
    String text = value == null ? "nothing" : value.isMissingNode() ? "nothing" : value.toString();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
