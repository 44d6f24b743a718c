package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.ast.CelExpr;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntime;

/**
 * A server-side stream filter: a CEL (Common Expression Language) expression, compiled and checked
 * once, evaluated against an event as it is on the wire (a CloudEvent JSON object). Standard CEL
 * with its macros and functions; the variables are the attributes {@code id}, {@code source},
 * {@code specversion}, {@code type}, {@code time}, {@code subject}, {@code datacontenttype}, {@code
 * dataschema}, {@code severity}, {@code experimentid} and {@code incidentid} (strings), {@code
 * data} (the event's data) and {@code event} (the whole CloudEvent, for extensions and {@code
 * has(event.incidentid)}). {@link FilterLanguage} holds the environment, its limits and its one
 * addition (severity names compare by rank).
 *
 * <p>An event passes when the expression is exactly {@code true}. An attribute or key the event
 * lacks is not an error of the filter but of the evaluation: {@code data.x == 1} does not pass an
 * event without {@code data.x}; {@code ||} and {@code &&} absorb such errors as CEL does ({@code
 * data.x == 1 || subject == 'a'} passes subject {@code a}). Thread-safe and immutable.
 */
public final class EventFilter {
  private static final EventFilter ALL = new EventFilter("", null, false, null);

  private final String source;
  private final CelRuntime.Program program;
  private final boolean metered;
  private final AttributeFilter fast;

  private EventFilter(
      String source, CelRuntime.Program program, boolean metered, AttributeFilter fast) {
    this.source = source;
    this.program = program;
    this.metered = metered;
    this.fast = fast;
  }

  /**
   * Compiles {@code expression}; a null or blank one passes every event.
   *
   * @throws FilterSyntaxException naming the column and CEL's message
   */
  public static EventFilter compile(String expression) {
    if (expression == null || expression.isBlank()) {
      return ALL;
    }
    if (expression.length() > FilterLanguage.MAX_LENGTH) {
      throw new FilterSyntaxException(
          FilterLanguage.MAX_LENGTH + 1,
          "a filter is at most " + FilterLanguage.MAX_LENGTH + " characters");
    }
    FilterLanguage.Compiled compiled = FilterLanguage.compile(expression);
    return new EventFilter(
        expression, compiled.program(), compiled.metered(), compiled.fast().orElse(null));
  }

  /** Whether {@code event} (a CloudEvent as a JSON object) passes. */
  public boolean test(JsonNode event) {
    return fast != null ? fast.test(event) : testInterpreted(event);
  }

  /**
   * Whether {@code event} passes, always through CEL's interpreter (the reference {@link
   * AttributeFilter} is checked against).
   */
  boolean testInterpreted(JsonNode event) {
    if (program == null) {
      return true;
    }
    try {
      EventVariables variables = EventVariables.of(event);
      Object result =
          metered ? program.trace(variables, new StepBudget()) : program.eval(variables);
      return Boolean.TRUE.equals(result);
    } catch (Exception e) {
      // an evaluation error (a missing key, a wrong type, a limit reached) does not pass
      return false;
    }
  }

  /** Whether the filter is evaluated without the interpreter. */
  boolean fast() {
    return fast != null;
  }

  /** The expression as given; empty for the filter that passes everything. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }

  /** Stops an evaluation after {@link FilterLanguage#MAX_STEPS} expression steps. */
  private static final class StepBudget implements CelEvaluationListener {
    private int left = FilterLanguage.MAX_STEPS;

    @Override
    public void callback(CelExpr expr, Object result) {
      if (--left < 0) {
        throw new OverBudget();
      }
    }
  }

  private static final class OverBudget extends RuntimeException {
    OverBudget() {
      super("over the evaluation budget of a filter", null, false, false);
    }
  }
}
