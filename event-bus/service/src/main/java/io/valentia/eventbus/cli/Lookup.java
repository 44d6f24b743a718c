package io.valentia.eventbus.cli;

/**
 * The last step of a flag → environment variable → default lookup. picocli fills an option from its
 * variable ({@code ${env:VAR:-default}}); a blank flag or variable counts as not given here.
 */
final class Lookup {
  private Lookup() {}

  /**
   * {@code value} when not blank, else {@code variable} when set and not blank, else {@code
   * fallback}.
   */
  static String value(String value, String variable, String fallback) {
    if (given(value)) {
      return value;
    }
    String env = System.getenv(variable);
    return given(env) ? env : fallback;
  }

  static boolean given(String value) {
    return value != null && !value.isBlank();
  }
}
