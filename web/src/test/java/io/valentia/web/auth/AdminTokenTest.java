package io.valentia.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The admin token configured through VALENTIA_ADMIN_TOKEN")
class AdminTokenTest {
  private static final String SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret";

  @Test
  @DisplayName("A configured token matches itself only and is not reported as generated.")
  void configuredTokenMatchesOnlyItself() {
    AdminToken token = AdminToken.configured(SECRET);

    assertThat(token.generated()).isEmpty();
    assertThat(token.live()).isTrue();
    assertThat(token.matches(SECRET)).isTrue();
    assertThat(token.matches(SECRET.toUpperCase(java.util.Locale.ROOT))).isFalse();
    assertThat(token.matches(SECRET + " ")).isFalse();
    assertThat(token.matches(SECRET.substring(0, SECRET.length() - 1))).isFalse();
    assertThat(token.matches("")).isFalse();
    assertThat(token.matches(null)).isFalse();
  }

  @Test
  @DisplayName("The configured token authenticates as the admin principal of the admin token id.")
  void configuredTokenIsTheAdmin() {
    AdminToken token = AdminToken.configured(SECRET);

    assertThat(token.authenticateToken(SECRET))
        .contains(new Principal("admin", "admin", AdminToken.ID));
    assertThat(token.authenticateToken("other")).isEmpty();
  }

  @Test
  @DisplayName("A blank configured token is refused rather than matching blanks.")
  void blankIsRefused() {
    assertThatThrownBy(() -> AdminToken.configured("   "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName(
      "A configured token shorter than 32 characters is refused with a message that says how long"
          + " it must be; one of 32 is accepted.")
  void shortIsRefused() {
    assertThatThrownBy(() -> AdminToken.configured("t0ken"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VALENTIA_ADMIN_TOKEN is 5 characters long")
        .hasMessageContaining("at least 32");
    assertThatThrownBy(() -> AdminToken.configured("x".repeat(31)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(AdminToken.configured("x".repeat(32)).matches("x".repeat(32))).isTrue();
  }
}
