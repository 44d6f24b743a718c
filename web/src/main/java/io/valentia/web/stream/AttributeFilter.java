package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The commonest filters, evaluated without CEL's interpreter: comparisons of a CloudEvent attribute
 * with a string ({@code subject == 'osd-12'}, {@code type != '...'}) joined by {@code &&}, {@code
 * ||} and {@code !}. A war room's fifty streams ask for little else, and the shared reader tests
 * every distinct filter on every event, so these cost a field lookup instead of an interpretation.
 * The result is CEL's to the letter, errors included: an attribute the event lacks is an error,
 * {@code &&} and {@code ||} absorb an error when the other side decides, and an error at the top
 * does not pass ({@code AttributeFilterTest} checks it against the interpreter). Any other shape is
 * left to CEL.
 */
final class AttributeFilter {
  private static final int FALSE = 0;
  private static final int TRUE = 1;
  private static final int ERROR = 2;

  private final Node root;

  private AttributeFilter(Node root) {
    this.root = root;
  }

  /** The filter of {@code expr} when it has the shape above; empty otherwise. */
  static Optional<AttributeFilter> of(CelExpr expr, Set<String> attributes) {
    Node node = node(expr, attributes);
    return node == null ? Optional.empty() : Optional.of(new AttributeFilter(node));
  }

  /** Whether {@code event} passes (the filter is exactly {@code true}). */
  boolean test(JsonNode event) {
    return root.eval(event) == TRUE;
  }

  private interface Node {
    int eval(JsonNode event);
  }

  private static Node node(CelExpr expr, Set<String> attributes) {
    if (expr.getKind() != CelExpr.ExprKind.Kind.CALL || expr.call().target().isPresent()) {
      return null;
    }
    String function = expr.call().function();
    List<CelExpr> args = expr.call().args();
    switch (function) {
      case "_&&_", "_||_" -> {
        List<Node> parts = new ArrayList<>();
        for (CelExpr arg : args) {
          Node part = node(arg, attributes);
          if (part == null) {
            return null;
          }
          parts.add(part);
        }
        return function.equals("_&&_") ? and(parts) : or(parts);
      }
      case "!_" -> {
        Node inner = args.size() == 1 ? node(args.get(0), attributes) : null;
        return inner == null ? null : event -> not(inner.eval(event));
      }
      case "_==_", "_!=_" -> {
        if (args.size() != 2) {
          return null;
        }
        String attribute = attribute(args.get(0), attributes);
        String literal = literal(args.get(1));
        if (attribute == null || literal == null) {
          attribute = attribute(args.get(1), attributes);
          literal = literal(args.get(0));
        }
        if (attribute == null || literal == null) {
          return null;
        }
        return compare(attribute, literal, function.equals("_==_"));
      }
      default -> {
        return null;
      }
    }
  }

  private static String attribute(CelExpr expr, Set<String> attributes) {
    return expr.getKind() == CelExpr.ExprKind.Kind.IDENT && attributes.contains(expr.ident().name())
        ? expr.ident().name()
        : null;
  }

  private static String literal(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
            && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE
        ? expr.constant().stringValue()
        : null;
  }

  private static Node compare(String attribute, String literal, boolean equal) {
    return event -> {
      JsonNode value = event.get(attribute);
      if (value == null || !value.isTextual()) {
        return ERROR; // as the interpreter: the variable has no value
      }
      return literal.equals(value.textValue()) == equal ? TRUE : FALSE;
    };
  }

  private static int not(int value) {
    return value == ERROR ? ERROR : value == TRUE ? FALSE : TRUE;
  }

  private static Node and(List<Node> parts) {
    return event -> {
      int result = TRUE;
      for (Node part : parts) {
        int value = part.eval(event);
        if (value == FALSE) {
          return FALSE;
        }
        if (value == ERROR) {
          result = ERROR;
        }
      }
      return result;
    };
  }

  private static Node or(List<Node> parts) {
    return event -> {
      int result = FALSE;
      for (Node part : parts) {
        int value = part.eval(event);
        if (value == TRUE) {
          return TRUE;
        }
        if (value == ERROR) {
          result = ERROR;
        }
      }
      return result;
    };
  }
}
