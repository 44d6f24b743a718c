package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A server-side stream filter, written in a small subset of CEL (the Common Expression Language)
 * and compiled once. It is evaluated against an event as it is on the wire: a CloudEvent JSON
 * object, so {@code type}, {@code subject}, {@code source}, {@code id}, {@code time}, {@code
 * severity}, {@code experimentid}, {@code incidentid}, any extension and {@code data.a.b} (or
 * {@code data["a b"]}) are names.
 *
 * <pre>
 * expr    := and ('||' and)*
 * and     := unary ('&amp;&amp;' unary)*
 * unary   := '!' unary | rel
 * rel     := member (('==' | '!=' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=' | 'in') member)?
 * member  := primary ('.' NAME | '.' METHOD '(' args ')' | '[' expr ']')*
 * primary := NAME | 'has' '(' member ')' | STRING | NUMBER | 'true' | 'false' | 'null'
 *          | '(' expr ')' | '[' (expr (',' expr)*)? ']'
 * METHOD  := startsWith | endsWith | contains | matches | size
 * </pre>
 *
 * <p>Numbers compare as numbers, strings lexicographically (so RFC 3339 times in UTC compare in
 * time order), and the severity names {@code info < warning < critical} by rank: {@code severity >=
 * "warning"}. {@code x in [..]} tests membership, {@code k in data} a key. A name that is absent is
 * not an error: comparisons with it are false ({@code has(data.x)} tests presence). An event for
 * which the expression is not exactly {@code true} (or cannot be evaluated, e.g. {@code !"text"})
 * does not pass. Thread-safe and immutable once compiled.
 */
public final class EventFilter {
  private static final Map<String, Integer> SEVERITY_RANK =
      Map.of("info", 0, "warning", 1, "critical", 2);
  private static final EventFilter ALL = new EventFilter("", event -> BooleanNode.TRUE);

  private final String source;
  private final Node root;

  private EventFilter(String source, Node root) {
    this.source = source;
    this.root = root;
  }

  /**
   * Compiles {@code expression}; a null or blank one passes every event.
   *
   * @throws FilterSyntaxException naming the column and what was expected
   */
  public static EventFilter compile(String expression) {
    if (expression == null || expression.isBlank()) {
      return ALL;
    }
    if (expression.length() > 4096) {
      throw new FilterSyntaxException(4097, "a filter is at most 4096 characters");
    }
    Parser parser = new Parser(expression);
    Node root = parser.expression();
    parser.expectEnd();
    return new EventFilter(expression, root);
  }

  /** Whether {@code event} (a CloudEvent as a JSON object) passes. */
  public boolean test(JsonNode event) {
    try {
      JsonNode value = root.eval(event);
      return value.isBoolean() && value.booleanValue();
    } catch (EvaluationException e) {
      return false;
    }
  }

  /** The expression as given; empty for the filter that passes everything. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }

  // ------------------------------------------------------------------------------------------
  // evaluation

  private static final class EvaluationException extends RuntimeException {
    EvaluationException() {
      super(null, null, false, false);
    }
  }

  @FunctionalInterface
  private interface Node {
    JsonNode eval(JsonNode event);
  }

  private static boolean bool(JsonNode value) {
    if (!value.isBoolean()) {
      throw new EvaluationException();
    }
    return value.booleanValue();
  }

  private static String text(JsonNode value) {
    if (!value.isTextual()) {
      throw new EvaluationException();
    }
    return value.textValue();
  }

  private static boolean equal(JsonNode a, JsonNode b) {
    if (a.isMissingNode() || b.isMissingNode()) {
      return false;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.doubleValue() == b.doubleValue();
    }
    return a.equals(b);
  }

  /** Negative, zero or positive; throws when the two cannot be ordered. */
  private static int order(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    if (a.isTextual() && b.isTextual()) {
      Integer ra = SEVERITY_RANK.get(a.textValue());
      Integer rb = SEVERITY_RANK.get(b.textValue());
      if (ra != null && rb != null) {
        return Integer.compare(ra, rb);
      }
      return a.textValue().compareTo(b.textValue());
    }
    throw new EvaluationException();
  }

  private static JsonNode child(JsonNode value, JsonNode key) {
    if (value.isObject() && key.isTextual()) {
      JsonNode child = value.get(key.textValue());
      return child == null ? MissingNode.getInstance() : child;
    }
    if (value.isArray() && key.isNumber() && key.doubleValue() == Math.rint(key.doubleValue())) {
      JsonNode child = value.get(key.intValue());
      return child == null ? MissingNode.getInstance() : child;
    }
    return MissingNode.getInstance();
  }

  // ------------------------------------------------------------------------------------------
  // parsing

  private enum Kind {
    NAME,
    STRING,
    NUMBER,
    OP,
    END
  }

  private record Token(Kind kind, String text, int column) {}

  private static final class Parser {
    /** Parentheses, brackets and '!' nest at most this deep (the parser and evaluation recurse). */
    private static final int MAX_DEPTH = 64;

    private final List<Token> tokens;
    private int next;
    private int depth;

    Parser(String source) {
      this.tokens = tokenize(source);
    }

    private Token peek() {
      return tokens.get(next);
    }

    private boolean accept(String op) {
      Token token = peek();
      if ((token.kind == Kind.OP || token.kind == Kind.NAME) && token.text.equals(op)) {
        next++;
        return true;
      }
      return false;
    }

    private Token expect(String op) {
      Token token = peek();
      if (!accept(op)) {
        throw new FilterSyntaxException(
            token.column, "expected '" + op + "', found " + show(token));
      }
      return token;
    }

    void expectEnd() {
      Token token = peek();
      if (token.kind != Kind.END) {
        throw new FilterSyntaxException(
            token.column, "expected an operator or the end, found " + show(token));
      }
    }

    Node expression() {
      enter();
      Node left = and();
      while (accept("||")) {
        Node l = left;
        Node r = and();
        left = e -> BooleanNode.valueOf(orValue(l, r, e));
      }
      depth--;
      return left;
    }

    private void enter() {
      if (++depth > MAX_DEPTH) {
        throw new FilterSyntaxException(
            peek().column, "nested too deep: at most " + MAX_DEPTH + " levels of (), [] and !");
      }
    }

    private static boolean orValue(Node l, Node r, JsonNode e) {
      boolean a;
      try {
        a = bool(l.eval(e));
      } catch (EvaluationException x) {
        a = false;
      }
      return a || bool(r.eval(e));
    }

    private Node and() {
      Node left = unary();
      while (accept("&&")) {
        Node l = left;
        Node r = unary();
        left = e -> BooleanNode.valueOf(bool(l.eval(e)) && bool(r.eval(e)));
      }
      return left;
    }

    private Node unary() {
      if (accept("!")) {
        enter();
        Node operand = unary();
        depth--;
        return e -> BooleanNode.valueOf(!bool(operand.eval(e)));
      }
      return relation();
    }

    private Node relation() {
      Node left = member();
      Token op = peek();
      if (op.kind != Kind.OP && !(op.kind == Kind.NAME && op.text.equals("in"))) {
        return left;
      }
      switch (op.text) {
        case "==", "!=", "<", "<=", ">", ">=", "in" -> next++;
        default -> {
          return left;
        }
      }
      Node right = member();
      return switch (op.text) {
        case "==" -> e -> BooleanNode.valueOf(equal(left.eval(e), right.eval(e)));
        case "!=" ->
            e -> {
              JsonNode a = left.eval(e);
              JsonNode b = right.eval(e);
              return BooleanNode.valueOf(!a.isMissingNode() && !b.isMissingNode() && !equal(a, b));
            };
        case "<" -> e -> BooleanNode.valueOf(compare(left, right, e) < 0);
        case "<=" -> e -> BooleanNode.valueOf(compare(left, right, e) <= 0);
        case ">" -> e -> BooleanNode.valueOf(compare(left, right, e) > 0);
        case ">=" -> e -> BooleanNode.valueOf(compare(left, right, e) >= 0);
        default -> e -> BooleanNode.valueOf(contains(right.eval(e), left.eval(e)));
      };
    }

    private static int compare(Node left, Node right, JsonNode e) {
      JsonNode a = left.eval(e);
      JsonNode b = right.eval(e);
      if (a.isMissingNode() || b.isMissingNode() || a.isNull() || b.isNull()) {
        throw new EvaluationException();
      }
      return order(a, b);
    }

    private static boolean contains(JsonNode container, JsonNode element) {
      if (container.isArray()) {
        for (JsonNode item : container) {
          if (equal(item, element)) {
            return true;
          }
        }
        return false;
      }
      if (container.isObject() && element.isTextual()) {
        return container.has(element.textValue());
      }
      return false;
    }

    private Node member() {
      Node value = primary();
      while (true) {
        if (accept(".")) {
          Token name = peek();
          if (name.kind != Kind.NAME) {
            throw new FilterSyntaxException(
                name.column, "expected a name after '.', found " + show(name));
          }
          next++;
          if (peek().text.equals("(") && peek().kind == Kind.OP) {
            next++;
            value = method(value, name);
          } else {
            Node target = value;
            TextNode key = TextNode.valueOf(name.text);
            value = e -> child(target.eval(e), key);
          }
        } else if (accept("[")) {
          Node index = expression();
          expect("]");
          Node target = value;
          value = e -> child(target.eval(e), index.eval(e));
        } else {
          return value;
        }
      }
    }

    private Node method(Node target, Token name) {
      List<Node> args = new ArrayList<>();
      List<Token> argTokens = new ArrayList<>();
      if (!accept(")")) {
        do {
          argTokens.add(peek());
          args.add(expression());
        } while (accept(","));
        expect(")");
      }
      int expected = name.text.equals("size") ? 0 : 1;
      return switch (name.text) {
        case "startsWith", "endsWith", "contains", "matches", "size" -> {
          if (args.size() != expected) {
            throw new FilterSyntaxException(
                name.column,
                name.text + "() takes " + expected + " argument" + (expected == 1 ? "" : "s"));
          }
          yield switch (name.text) {
            case "startsWith" ->
                e ->
                    BooleanNode.valueOf(text(target.eval(e)).startsWith(text(args.get(0).eval(e))));
            case "endsWith" ->
                e -> BooleanNode.valueOf(text(target.eval(e)).endsWith(text(args.get(0).eval(e))));
            case "contains" ->
                e -> BooleanNode.valueOf(text(target.eval(e)).contains(text(args.get(0).eval(e))));
            case "matches" -> matches(target, args.get(0), argTokens.get(0));
            default ->
                e -> {
                  JsonNode value = target.eval(e);
                  if (value.isTextual()) {
                    return IntNode.valueOf(
                        value.textValue().codePointCount(0, value.textValue().length()));
                  }
                  if (value.isContainerNode()) {
                    return IntNode.valueOf(value.size());
                  }
                  throw new EvaluationException();
                };
          };
        }
        default ->
            throw new FilterSyntaxException(
                name.column,
                "unknown function "
                    + name.text
                    + "(): use startsWith, endsWith, contains, matches or size");
      };
    }

    private Node matches(Node target, Node pattern, Token patternToken) {
      if (patternToken.kind == Kind.STRING) {
        Pattern compiled = regex(patternToken);
        return e -> BooleanNode.valueOf(compiled.matcher(text(target.eval(e))).find());
      }
      return e -> {
        try {
          return BooleanNode.valueOf(
              Pattern.compile(text(pattern.eval(e))).matcher(text(target.eval(e))).find());
        } catch (PatternSyntaxException x) {
          throw new EvaluationException();
        }
      };
    }

    private static Pattern regex(Token token) {
      try {
        return Pattern.compile(token.text);
      } catch (PatternSyntaxException e) {
        throw new FilterSyntaxException(
            token.column, "not a regular expression: " + e.getDescription());
      }
    }

    private Node primary() {
      Token token = peek();
      switch (token.kind) {
        case STRING -> {
          next++;
          JsonNode value = TextNode.valueOf(token.text);
          return e -> value;
        }
        case NUMBER -> {
          next++;
          JsonNode value = DoubleNode.valueOf(Double.parseDouble(token.text));
          return e -> value;
        }
        case NAME -> {
          next++;
          switch (token.text) {
            case "true":
              return e -> BooleanNode.TRUE;
            case "false":
              return e -> BooleanNode.FALSE;
            case "null":
              return e -> NullNode.instance;
            case "in":
              throw new FilterSyntaxException(token.column, "expected a value, found 'in'");
            case "has":
              {
                expect("(");
                Node inner = member();
                expect(")");
                return e -> BooleanNode.valueOf(!inner.eval(e).isMissingNode());
              }
            default:
              TextNode key = TextNode.valueOf(token.text);
              return e -> child(e, key);
          }
        }
        case OP -> {
          if (accept("(")) {
            Node inner = expression();
            expect(")");
            return inner;
          }
          if (accept("[")) {
            List<Node> items = new ArrayList<>();
            if (!accept("]")) {
              do {
                items.add(expression());
              } while (accept(","));
              expect("]");
            }
            return e -> {
              var array = JsonNodeFactory.instance.arrayNode(items.size());
              for (Node item : items) {
                array.add(item.eval(e));
              }
              return array;
            };
          }
          throw new FilterSyntaxException(token.column, "expected a value, found " + show(token));
        }
        default -> throw new FilterSyntaxException(token.column, "expected a value, found the end");
      }
    }

    private static String show(Token token) {
      return switch (token.kind) {
        case END -> "the end";
        case STRING -> "a string";
        case NUMBER -> "the number " + token.text;
        default -> "'" + token.text + "'";
      };
    }
  }

  private static final List<String> OPERATORS =
      List.of("&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ".", ",");

  private static List<Token> tokenize(String source) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = source.length();
    outer:
    while (i < n) {
      char c = source.charAt(i);
      int column = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
          i++;
        }
        tokens.add(new Token(Kind.NAME, source.substring(start, i), column));
        continue;
      }
      if (Character.isDigit(c)
          || (c == '-' && i + 1 < n && Character.isDigit(source.charAt(i + 1)))) {
        int start = i++;
        while (i < n && (Character.isDigit(source.charAt(i)) || source.charAt(i) == '.')) {
          i++;
        }
        String number = source.substring(start, i);
        try {
          Double.parseDouble(number);
        } catch (NumberFormatException e) {
          throw new FilterSyntaxException(column, "not a number: " + number);
        }
        tokens.add(new Token(Kind.NUMBER, number, column));
        continue;
      }
      if (c == '"' || c == '\'') {
        StringBuilder text = new StringBuilder();
        i++;
        while (true) {
          if (i >= n) {
            throw new FilterSyntaxException(column, "a string is not closed");
          }
          char d = source.charAt(i++);
          if (d == c) {
            break;
          }
          if (d == '\\') {
            if (i >= n) {
              throw new FilterSyntaxException(column, "a string is not closed");
            }
            char escaped = source.charAt(i++);
            switch (escaped) {
              case 'n' -> text.append('\n');
              case 't' -> text.append('\t');
              case '\\', '"', '\'' -> text.append(escaped);
              default -> text.append('\\').append(escaped); // kept for regular expressions
            }
          } else {
            text.append(d);
          }
        }
        tokens.add(new Token(Kind.STRING, text.toString(), column));
        continue;
      }
      for (String op : OPERATORS) {
        if (source.startsWith(op, i)) {
          tokens.add(new Token(Kind.OP, op, column));
          i += op.length();
          continue outer;
        }
      }
      if (c == '=') {
        throw new FilterSyntaxException(column, "unexpected '=': compare with '=='");
      }
      throw new FilterSyntaxException(column, "unexpected character '" + c + "'");
    }
    tokens.add(new Token(Kind.END, "", n + 1));
    return tokens;
  }
}
