package io.valentia.eventbus.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One key of a configuration section: its name, type, default, checks and description, in the
 * spirit of Debezium's {@code Field}. A field is immutable; the {@code with…} methods return
 * copies. {@link ConfigSection#get} reads it, collecting a problem instead of stopping when the
 * value is bad.
 *
 * <pre>
 * static final Field&lt;Duration&gt; INTERVAL =
 *     Field.duration("interval").withDefault(Duration.ofSeconds(30))
 *         .validate(d -&gt; !d.isZero(), "must be above 0")
 *         .withDescription("how often the probe runs");
 * </pre>
 *
 * <p>An absent key and a key set to null both take the default; a bad value takes it too, so one
 * reading reports every problem at once.
 *
 * @param <T> the type of the value
 */
public final class Field<T> {

  /**
   * How a value is read from its node.
   *
   * @param <T> the value's type
   */
  @FunctionalInterface
  public interface Type<T> {
    /**
     * @param node the value as written, never null, missing or a null node
     * @throws IllegalArgumentException with what is wrong, e.g. {@code must be true or false}
     */
    T read(JsonNode node);
  }

  private record Check<T>(Predicate<T> ok, Function<JsonNode, String> message) {}

  private final String name;
  private final Type<T> type;
  private final T defaultValue;
  private final String description;
  private final String requiredMessage;
  private final Function<JsonNode, String> invalid;
  private final List<Check<T>> checks;

  private Field(
      String name,
      Type<T> type,
      T defaultValue,
      String description,
      String requiredMessage,
      Function<JsonNode, String> invalid,
      List<Check<T>> checks) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = description;
    this.requiredMessage = requiredMessage;
    this.invalid = invalid;
    this.checks = List.copyOf(checks);
  }

  /** A field of a type of its own. */
  public static <T> Field<T> of(String name, Type<T> type) {
    return new Field<>(name, type, null, "", null, null, List.of());
  }

  /** A string ({@code must be a string} otherwise). */
  public static Field<String> string(String name) {
    return of(
        name,
        node -> {
          if (!node.isTextual()) {
            throw new IllegalArgumentException("must be a string");
          }
          return node.asText();
        });
  }

  /** A single value of any kind, as text ({@code must be a single value} for a list or mapping). */
  public static Field<String> text(String name) {
    return of(
        name,
        node -> {
          if (!node.isValueNode()) {
            throw new IllegalArgumentException("must be a single value");
          }
          return node.asText();
        });
  }

  /** {@code true} or {@code false}. */
  public static Field<Boolean> bool(String name) {
    return of(
        name,
        node -> {
          if (!node.isBoolean()) {
            throw new IllegalArgumentException("must be true or false");
          }
          return node.asBoolean();
        });
  }

  /** A whole number that fits an {@code int}; written as a number, not a string. */
  public static Field<Integer> integer(String name) {
    return of(
        name,
        node -> {
          if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new IllegalArgumentException("must be an integer");
          }
          return node.asInt();
        });
  }

  /** A whole number that fits a {@code long}; written as a number, not a string. */
  public static Field<Long> longInteger(String name) {
    return of(
        name,
        node -> {
          if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new IllegalArgumentException("must be an integer");
          }
          return node.asLong();
        });
  }

  /** Any number. */
  public static Field<Double> number(String name) {
    return of(
        name,
        node -> {
          if (!node.isNumber()) {
            throw new IllegalArgumentException("must be a number");
          }
          return node.asDouble();
        });
  }

  /** A duration in the grammar of {@link Durations} (a number is seconds). */
  public static Field<Duration> duration(String name) {
    return of(name, Durations::parse);
  }

  /** A list of strings. */
  public static Field<List<String>> strings(String name) {
    return of(
        name,
        node -> {
          if (!node.isArray()) {
            throw new IllegalArgumentException("must be a list of strings");
          }
          List<String> out = new ArrayList<>();
          node.forEach(
              item -> {
                if (!item.isTextual()) {
                  throw new IllegalArgumentException("must be a list of strings");
                }
                out.add(item.asText());
              });
          return List.copyOf(out);
        });
  }

  /** The value as written: a sub-section read by its own reader. */
  public static Field<JsonNode> node(String name) {
    return of(name, node -> node);
  }

  /** A copy that takes {@code value} when the key is absent, null or bad. */
  public Field<T> withDefault(T value) {
    return new Field<>(name, type, value, description, requiredMessage, invalid, checks);
  }

  /** A copy with its documentation, e.g. {@code how often the probe runs (default 30s)}. */
  public Field<T> withDescription(String text) {
    return new Field<>(name, type, defaultValue, text, requiredMessage, invalid, checks);
  }

  /** A copy whose absence is the problem {@code message}, e.g. {@code missing: required}. */
  public Field<T> required(String message) {
    return new Field<>(name, type, defaultValue, description, message, invalid, checks);
  }

  /** A copy that reports a value its type cannot read as {@code message}. */
  public Field<T> invalid(String message) {
    return invalid(node -> message);
  }

  /**
   * A copy that reports a value its type cannot read with {@code message} of the value as written,
   * e.g. {@code node -> "must be a positive integer, found " + node}.
   */
  public Field<T> invalid(Function<JsonNode, String> message) {
    return new Field<>(name, type, defaultValue, description, requiredMessage, message, checks);
  }

  /** A copy with one more check: a value that fails {@code ok} is the problem {@code message}. */
  public Field<T> validate(Predicate<T> ok, String message) {
    return validate(ok, node -> message);
  }

  /** A copy with one more check whose message is made from the value as written. */
  public Field<T> validate(Predicate<T> ok, Function<JsonNode, String> message) {
    List<Check<T>> more = new ArrayList<>(checks);
    more.add(new Check<>(ok, message));
    return new Field<>(name, type, defaultValue, description, requiredMessage, invalid, more);
  }

  /**
   * A copy whose type errors and failed checks all read {@code message} of the value as written:
   * the form of sections that say one thing about any bad value.
   */
  public Field<T> validateAll(Predicate<T> ok, Function<JsonNode, String> message) {
    return invalid(message).validate(ok, message);
  }

  /** The key. */
  public String name() {
    return name;
  }

  /** The value when the key is absent; may be null. */
  public T defaultValue() {
    return defaultValue;
  }

  /** The documentation; empty when there is none. */
  public String description() {
    return description;
  }

  /** The problem of an absent key; null when the key is optional. */
  String requiredMessage() {
    return requiredMessage;
  }

  /**
   * Reads a present value.
   *
   * @return the value, or null with the problem given to {@code problem}
   */
  T read(JsonNode node, java.util.function.Consumer<String> problem) {
    T value;
    try {
      value = type.read(node);
    } catch (IllegalArgumentException e) {
      problem.accept(invalid == null ? e.getMessage() : invalid.apply(node));
      return null;
    }
    for (Check<T> check : checks) {
      if (!check.ok().test(value)) {
        problem.accept(check.message().apply(node));
        return null;
      }
    }
    return value;
  }
}
