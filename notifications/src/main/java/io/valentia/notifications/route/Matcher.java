package io.valentia.notifications.route;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One label matcher, as Alertmanager's {@code pkg/labels}: a label name, an operator ({@code =},
 * {@code !=}, {@code =~}, {@code !~}) and a value. A missing label matches as the empty string.
 * Regular expressions use RE2 syntax (Go's, as Alertmanager) and are anchored at both ends: {@code
 * severity=~"crit"} does not match {@code critical}.
 *
 * <p>Its JSON form is its text, e.g. {@code "severity=~\"critical|warning\""}. Immutable and
 * thread-safe; ordered as Alertmanager sorts matchers (name, value, then operator).
 */
public final class Matcher implements Comparable<Matcher> {
  /** The operator. */
  public enum Type {
    EQUAL("="),
    NOT_EQUAL("!="),
    REGEX("=~"),
    NOT_REGEX("!~");

    private final String operator;

    Type(String operator) {
      this.operator = operator;
    }

    /** The operator as written: {@code =}, {@code !=}, {@code =~} or {@code !~}. */
    public String operator() {
      return operator;
    }

    boolean regex() {
      return this == REGEX || this == NOT_REGEX;
    }
  }

  // Alertmanager's classic matcher syntax (pkg/labels/parse.go): a label name, an operator, and a
  // value that may be double-quoted. '=~' must come before '='.
  private static final java.util.regex.Pattern SYNTAX =
      java.util.regex.Pattern.compile(
          "^\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(=~|=|!=|!~)\\s*(.*?)\\s*$",
          java.util.regex.Pattern.DOTALL);

  private static final Comparator<Matcher> ORDER =
      Comparator.comparing(Matcher::name)
          .thenComparing(Matcher::value)
          .thenComparing(Matcher::type);

  private final Type type;
  private final String name;
  private final String value;
  private final Pattern pattern;

  private Matcher(Type type, String name, String value, Pattern pattern) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.pattern = pattern;
  }

  /**
   * A matcher of {@code type} on label {@code name}.
   *
   * @throws IllegalArgumentException when the name is empty or a regular expression does not
   *     compile
   */
  public static Matcher of(Type type, String name, String value) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("empty label name");
    }
    Pattern pattern = null;
    if (type.regex()) {
      try {
        pattern = Pattern.compile("^(?:" + value + ")$");
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "invalid regular expression \"" + value + "\": " + e.getDescription(), e);
      }
    }
    return new Matcher(type, name, value, pattern);
  }

  /** {@code name="value"}. */
  public static Matcher equal(String name, String value) {
    return of(Type.EQUAL, name, value);
  }

  /** {@code name=~"regex"}. */
  public static Matcher regex(String name, String regex) {
    return of(Type.REGEX, name, regex);
  }

  /**
   * Parses one matcher, e.g. {@code severity=~"critical|warning"} or {@code severity=critical}
   * (Alertmanager's {@code ParseMatcher}): the value may be double-quoted, with {@code \"}, {@code
   * \\} and {@code \n} escapes inside.
   *
   * @throws IllegalArgumentException with what is wrong
   */
  @JsonCreator
  public static Matcher parse(String text) {
    Objects.requireNonNull(text, "text");
    java.util.regex.Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad matcher format: " + text);
    }
    String raw = m.group(3);
    boolean expectTrailingQuote = false;
    if (raw.startsWith("\"")) {
      raw = raw.substring(1);
      expectTrailingQuote = true;
    }
    StringBuilder value = new StringBuilder();
    boolean escaped = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (escaped) {
        escaped = false;
        switch (c) {
          case 'n' -> value.append('\n');
          case '"', '\\' -> value.append(c);
          default -> value.append('\\').append(c);
        }
        continue;
      }
      if (c == '\\') {
        if (i < raw.length() - 1) {
          escaped = true;
        } else {
          value.append('\\');
        }
      } else if (c == '"') {
        if (!expectTrailingQuote || i < raw.length() - 1) {
          throw new IllegalArgumentException(
              "matcher value contains unescaped double quote: " + m.group(3));
        }
        expectTrailingQuote = false;
      } else {
        value.append(c);
      }
    }
    if (expectTrailingQuote) {
      throw new IllegalArgumentException(
          "matcher value contains unescaped double quote: " + m.group(3));
    }
    Type type =
        switch (m.group(2)) {
          case "=" -> Type.EQUAL;
          case "!=" -> Type.NOT_EQUAL;
          case "=~" -> Type.REGEX;
          default -> Type.NOT_REGEX;
        };
    return of(type, m.group(1), value.toString());
  }

  /**
   * Parses a comma-separated list of matchers, optionally in braces, e.g. {@code
   * {severity="critical", host=~"db-.*"}} (Alertmanager's {@code ParseMatchers}); commas inside
   * double quotes do not separate.
   *
   * @throws IllegalArgumentException with what is wrong with the first bad matcher
   */
  public static List<Matcher> parseList(String text) {
    String s = text;
    if (s.startsWith("{")) {
      s = s.substring(1);
    }
    if (s.endsWith("}")) {
      s = s.substring(0, s.length() - 1);
    }
    List<String> tokens = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    boolean insideQuotes = false;
    boolean escaped = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case ',' -> {
          if (!insideQuotes) {
            tokens.add(token.toString());
            token.setLength(0);
            continue;
          }
        }
        case '"' -> {
          if (!escaped) {
            insideQuotes = !insideQuotes;
          } else {
            escaped = false;
          }
        }
        case '\\' -> escaped = !escaped;
        default -> escaped = false;
      }
      token.append(c);
    }
    if (!token.toString().isBlank()) {
      tokens.add(token.toString().strip());
    }
    List<Matcher> matchers = new ArrayList<>();
    for (String t : tokens) {
      matchers.add(parse(t));
    }
    return List.copyOf(matchers);
  }

  /** Whether the labels' value of {@link #name()} (the empty string when absent) matches. */
  public boolean matches(Map<String, String> labels) {
    return matchesValue(labels.getOrDefault(name, ""));
  }

  /** Whether {@code value} matches. */
  public boolean matchesValue(String s) {
    return switch (type) {
      case EQUAL -> s.equals(value);
      case NOT_EQUAL -> !s.equals(value);
      case REGEX -> pattern.matches(s);
      case NOT_REGEX -> !pattern.matches(s);
    };
  }

  /** Whether every matcher matches {@code labels} (true for none). */
  public static boolean all(List<Matcher> matchers, Map<String, String> labels) {
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** The matchers sorted as Alertmanager sorts them, in braces: {@code {a="1",b=~"x"}}. */
  public static String toString(List<Matcher> matchers) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < matchers.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(matchers.get(i));
    }
    return b.append('}').toString();
  }

  public Type type() {
    return type;
  }

  public String name() {
    return name;
  }

  /** The value or, for {@code =~} and {@code !~}, the regular expression as written. */
  public String value() {
    return value;
  }

  /** Alertmanager's text form, {@code name="value"} with OpenMetrics escaping; parses back. */
  @JsonValue
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(name).append(type.operator).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '"' -> b.append("\\\"");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public int compareTo(Matcher o) {
    return ORDER.compare(this, o);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && type == m.type && name.equals(m.name) && value.equals(m.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, name, value);
  }
}
