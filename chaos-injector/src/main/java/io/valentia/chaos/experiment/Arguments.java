package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Typed reading of an activity's {@code arguments}, collecting every problem instead of stopping at
 * the first. In checking mode (validating a file before its configuration is substituted) a string
 * holding a {@code ${name}} placeholder is accepted wherever a value is expected. Not thread-safe.
 */
public final class Arguments {
  private final JsonNode node;
  private final boolean checking;
  private final List<String> problems = new ArrayList<>();

  private Arguments(JsonNode node, boolean checking) {
    this.node =
        node == null || node.isNull()
            ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
            : node;
    this.checking = checking;
    if (!this.node.isMissingNode() && !this.node.isObject()) {
      problems.add("arguments must be a mapping");
    }
  }

  /** For running: every value must be what it should be. */
  public static Arguments of(JsonNode node) {
    return new Arguments(node, false);
  }

  /** For validating a file: {@code ${name}} placeholders stand for any value. */
  public static Arguments checking(JsonNode node) {
    return new Arguments(node, true);
  }

  /** Every problem found so far, each naming its argument. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  public boolean isChecking() {
    return checking;
  }

  /** The raw arguments; a missing node when none. */
  public JsonNode raw() {
    return node;
  }

  public boolean has(String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  /** Reports every argument not in {@code known}. */
  public void onlyKnown(Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        problems.add(
            key
                + ": unknown argument (known: "
                + String.join(", ", known.stream().sorted().toList())
                + ")");
      }
    }
  }

  /** A required integer; 0 when missing or wrong (the problem is recorded). */
  public long integer(String key) {
    if (!has(key)) {
      problems.add(key + ": required");
      return 0;
    }
    return optionalInteger(key, 0);
  }

  public long optionalInteger(String key, long fallback) {
    JsonNode value = node.path(key);
    if (value.isMissingNode() || value.isNull() || placeholder(value)) {
      return fallback;
    }
    if (value.canConvertToLong() && value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isTextual()) {
      try {
        return Long.parseLong(value.asText().trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problems.add(key + ": must be an integer, found " + value);
    return fallback;
  }

  public double optionalNumber(String key, double fallback) {
    JsonNode value = node.path(key);
    if (value.isMissingNode() || value.isNull() || placeholder(value)) {
      return fallback;
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isTextual()) {
      try {
        return Double.parseDouble(value.asText().trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problems.add(key + ": must be a number, found " + value);
    return fallback;
  }

  /** A required non-empty string; "" when missing or wrong. */
  public String string(String key) {
    if (!has(key)) {
      problems.add(key + ": required");
      return "";
    }
    return optionalString(key, "");
  }

  public String optionalString(String key, String fallback) {
    JsonNode value = node.path(key);
    if (value.isMissingNode() || value.isNull()) {
      return fallback;
    }
    if (value.isTextual() && !value.asText().isBlank()) {
      return value.asText();
    }
    if (value.isNumber() || value.isBoolean()) {
      return value.asText();
    }
    problems.add(key + ": must be a non-empty string, found " + value);
    return fallback;
  }

  public boolean optionalBoolean(String key, boolean fallback) {
    JsonNode value = node.path(key);
    if (value.isMissingNode() || value.isNull() || placeholder(value)) {
      return fallback;
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    problems.add(key + ": must be true or false, found " + value);
    return fallback;
  }

  /** A list of strings (a single string is a list of one); empty when missing. */
  public List<String> strings(String key) {
    JsonNode value = node.path(key);
    if (value.isMissingNode() || value.isNull()) {
      return List.of();
    }
    if (value.isTextual()) {
      return List.of(value.asText());
    }
    if (value.isArray()) {
      List<String> out = new ArrayList<>();
      for (JsonNode item : value) {
        if (item.isValueNode()) {
          out.add(item.asText());
        } else {
          problems.add(key + ": must be a list of strings, found " + item);
        }
      }
      return out;
    }
    problems.add(key + ": must be a string or a list of strings, found " + value);
    return List.of();
  }

  /** A required positive duration ({@code 5}, {@code 5s}, {@code 500ms}); 1 s when wrong. */
  public Duration duration(String key) {
    if (!has(key)) {
      problems.add(key + ": required (e.g. 30s)");
      return Duration.ofSeconds(1);
    }
    return optionalDuration(key, Duration.ofSeconds(1));
  }

  public Duration optionalDuration(String key, Duration fallback) {
    JsonNode value = node.path(key);
    if (value.isMissingNode() || value.isNull() || placeholder(value)) {
      return fallback;
    }
    var parsed = Durations.parse(value);
    if (parsed.isEmpty() || parsed.get().isZero()) {
      problems.add(key + ": must be a positive duration such as 30s, 500ms or 2m, found " + value);
      return fallback;
    }
    return parsed.get();
  }

  /** Records a problem of the caller's own. */
  public void problem(String message) {
    problems.add(message);
  }

  private boolean placeholder(JsonNode value) {
    return checking && Substitution.hasPlaceholder(value);
  }
}
