package io.valentia.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The admin token configured through VALENTIA_ADMIN_TOKEN")
class AdminTokenTest {

  @Test
  @DisplayName("A configured token matches itself only and is not reported as generated.")
  void configuredTokenMatchesOnlyItself() {
    AdminToken token = AdminToken.configured("s3cret");

    assertThat(token.generated()).isEmpty();
    assertThat(token.live()).isTrue();
    assertThat(token.matches("s3cret")).isTrue();
    assertThat(token.matches("S3cret")).isFalse();
    assertThat(token.matches("s3cret ")).isFalse();
    assertThat(token.matches("s3cre")).isFalse();
    assertThat(token.matches("")).isFalse();
    assertThat(token.matches(null)).isFalse();
  }

  @Test
  @DisplayName("The configured token authenticates as the admin principal of the admin token id.")
  void configuredTokenIsTheAdmin() {
    AdminToken token = AdminToken.configured("s3cret");

    assertThat(token.authenticateToken("s3cret"))
        .contains(new Principal("admin", "admin", AdminToken.ID));
    assertThat(token.authenticateToken("other")).isEmpty();
  }

  @Test
  @DisplayName("A blank configured token is refused rather than matching blanks.")
  void blankIsRefused() {
    assertThatThrownBy(() -> AdminToken.configured("   "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
