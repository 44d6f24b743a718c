package io.valentia.web.testing;

/** Admin tokens for tests that start a web server or a platform with a configured admin token. */
public final class TestTokens {
  private TestTokens() {}

  /**
   * An admin token long enough to be accepted as {@code VALENTIA_ADMIN_TOKEN} (at least 32
   * characters): tests that need one use this.
   */
  public static final String ADMIN = "vt_test-admin-token-0123456789abcdefghij";
}
