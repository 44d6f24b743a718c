package io.valentia.web.stream;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.validator.CelValidator;
import dev.cel.validator.CelValidatorFactory;
import dev.cel.validator.validators.AstDepthLimitValidator;
import dev.cel.validator.validators.RegexLiteralValidator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CEL environment of live stream filters, built once: the declared variables, the standard
 * macros and functions, the limits that keep a hostile filter from burning the CPU, and the
 * translation of CEL's issues into a {@link FilterSyntaxException} with a column.
 *
 * <p>One addition to standard CEL, kept from the filter language it replaces: when both sides of
 * {@code < <= > >=} are severity names they compare by rank, {@code info < warning < critical}, so
 * {@code severity >= 'warning'} selects warnings and criticals; any other strings compare
 * lexicographically as in CEL.
 *
 * <p>Limits: 4,096 characters, parentheses and brackets nested {@value #MAX_DEPTH} deep, {@value
 * #MAX_NODES} expression nodes, regular expressions in RE2 syntax (linear time, at most {@value
 * #MAX_REGEX_PROGRAM} instructions), {@value #MAX_ITERATIONS} iterations of one macro ({@code
 * exists}, {@code all}, {@code map}, ...), and, for a filter with macros, {@value #MAX_STEPS}
 * evaluation steps per event (cel-java has no static cost estimate, so the steps are counted as the
 * filter runs; a filter without macros is bounded by its size). An event over a runtime limit does
 * not pass.
 */
final class FilterLanguage {
  static final int MAX_LENGTH = 4096;
  static final int MAX_DEPTH = 64;
  static final int MAX_NODES = 1000;
  static final int MAX_REGEX_PROGRAM = 1000;
  static final int MAX_ITERATIONS = 1000;
  static final int MAX_STEPS = 20_000;

  /** The whole CloudEvent as a {@code map(string, dyn)}: extensions, {@code has(event.x)}. */
  static final String EVENT = "event";

  /** The event's data as it is ({@code dyn}: usually a map). */
  static final String DATA = "data";

  /** The CloudEvent attributes declared as {@code string} variables. */
  static final List<String> ATTRIBUTES =
      List.of(
          "id",
          "source",
          "specversion",
          "type",
          "time",
          "subject",
          "datacontenttype",
          "dataschema",
          "severity",
          "experimentid",
          "incidentid");

  private static final Map<String, Integer> SEVERITY_RANK =
      Map.of("info", 0, "warning", 1, "critical", 2);
  private static final Set<String> STRING_ORDER =
      Set.of("LESS_STRING", "LESS_EQUALS_STRING", "GREATER_STRING", "GREATER_EQUALS_STRING");
  private static final Pattern BAD_ESCAPE =
      Pattern.compile("token recognition error at: '['\"].*\\\\.*");
  private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']*)'.*");

  private static final CelOptions OPTIONS =
      CelOptions.current()
          .maxExpressionCodePointSize(MAX_LENGTH)
          .maxParseRecursionDepth(MAX_DEPTH)
          .maxParseExpressionNodeCount(MAX_NODES)
          .maxRegexProgramSize(MAX_REGEX_PROGRAM)
          .comprehensionMaxIterations(MAX_ITERATIONS)
          .enableHeterogeneousNumericComparisons(true)
          .enableTimestampEpoch(true)
          .build();

  private static final CelCompiler COMPILER = compiler();
  private static final CelRuntime RUNTIME = runtime();
  private static final CelValidator VALIDATOR =
      CelValidatorFactory.standardCelValidatorBuilder(COMPILER, RUNTIME)
          .addAstValidators(
              RegexLiteralValidator.INSTANCE, AstDepthLimitValidator.newInstance(MAX_DEPTH))
          .build();

  private FilterLanguage() {}

  /** A checked filter ready to run; {@code metered} when it has macros and so counts its steps. */
  record Compiled(
      CelRuntime.Program program, boolean metered, java.util.Optional<AttributeFilter> fast) {}

  /**
   * Parses, checks (the result must be a {@code bool}) and validates {@code expression}.
   *
   * @throws FilterSyntaxException with the first issue's column and CEL's message
   */
  static Compiled compile(String expression) {
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
      CelValidationResult validated = VALIDATOR.validate(ast);
      if (validated.hasError()) {
        throw refused(expression, validated.getErrors());
      }
      boolean metered =
          CelNavigableAst.fromAst(ast)
              .getRoot()
              .allNodes()
              .anyMatch(node -> node.getKind() == CelExpr.ExprKind.Kind.COMPREHENSION);
      return new Compiled(
          RUNTIME.createProgram(ast),
          metered,
          AttributeFilter.of(ast.getExpr(), java.util.Set.copyOf(ATTRIBUTES)));
    } catch (CelValidationException e) {
      throw refused(expression, e.getErrors());
    } catch (CelEvaluationException e) {
      throw new FilterSyntaxException(1, e.getMessage());
    }
  }

  private static FilterSyntaxException refused(String expression, List<CelIssue> issues) {
    CelIssue first =
        issues.stream()
            .filter(issue -> issue.getSeverity() == CelIssue.Severity.ERROR)
            .findFirst()
            .orElse(issues.get(0));
    int offset = Math.max(0, first.getSourceLocation().getColumn());
    String message = first.getMessage();
    return new FilterSyntaxException(offset + 1, message + hint(expression, offset, message));
  }

  /** Where a filter written for the language this one replaces needs its CEL form. */
  private static String hint(String expression, int offset, String message) {
    if (message.contains("recursion limit exceeded") || message.contains("depth exceeds")) {
      return " (nested too deep: at most " + MAX_DEPTH + " levels)";
    }
    if (message.contains("token recognition error at: '=")) {
      return " (compare with '==')";
    }
    if (BAD_ESCAPE.matcher(message).matches()) {
      return " (a backslash in a CEL string starts an escape: write '\\\\d' or a raw string"
          + " r'\\d')";
    }
    if (message.contains("applied to '(") && message.contains("null)")) {
      return " (an absent attribute is not null in CEL: test it with has(event.NAME))";
    }
    Matcher undeclared = UNDECLARED.matcher(message);
    if (undeclared.matches()) {
      boolean call = offset < expression.length() && expression.charAt(offset) == '(';
      return call
          ? " (functions: startsWith, endsWith, contains, matches, size, timestamp, duration,"
              + " int, double, string and the macros has, exists, exists_one, all, map, filter)"
          : " (variables: "
              + String.join(", ", ATTRIBUTES)
              + ", data and event; another attribute is event."
              + undeclared.group(1)
              + ")";
    }
    return "";
  }

  private static CelCompiler compiler() {
    var builder =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .setResultType(SimpleType.BOOL)
            .addVar(EVENT, MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar(DATA, SimpleType.DYN);
    for (String attribute : ATTRIBUTES) {
      builder.addVar(attribute, SimpleType.STRING);
    }
    return builder.build();
  }

  private static CelRuntime runtime() {
    CelStandardFunctions withoutStringOrder =
        CelStandardFunctions.newBuilder()
            .filterFunctions(
                (function, overload) ->
                    !(overload instanceof Enum<?> e && STRING_ORDER.contains(e.name())))
            .build();
    return CelRuntimeFactory.standardCelRuntimeBuilder()
        .setOptions(OPTIONS)
        .setStandardEnvironmentEnabled(false)
        .setStandardFunctions(withoutStringOrder)
        .addFunctionBindings(
            order("less_string", c -> c < 0),
            order("less_equals_string", c -> c <= 0),
            order("greater_string", c -> c > 0),
            order("greater_equals_string", c -> c >= 0))
        .build();
  }

  private static CelFunctionBinding order(String overloadId, IntPredicate outcome) {
    return CelFunctionBinding.from(
        overloadId, String.class, String.class, (a, b) -> outcome.test(compare(a, b)));
  }

  /** Severity names by rank, any other strings as CEL does (by code point). */
  static int compare(String a, String b) {
    Integer ra = SEVERITY_RANK.get(a);
    Integer rb = SEVERITY_RANK.get(b);
    if (ra != null && rb != null) {
      return Integer.compare(ra, rb);
    }
    return a.compareTo(b);
  }
}
