package io.valentia.notifications.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Slack request signatures")
class SlackSignatureTest {
  // The example of Slack's "Verifying requests from Slack"
  private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  private static final String TIMESTAMP = "1531420618";
  private static final byte[] BODY =
      ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
              + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA"
              + "&user_name=roadrunner&command=%2Fwebhook-collect&text="
              + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
              + "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
              + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
          .getBytes(StandardCharsets.UTF_8);
  private static final String SIGNATURE =
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
  private static final Instant THEN = Instant.ofEpochSecond(1531420618);

  @Test
  @DisplayName("Computes the signature Slack's documentation gives for its example")
  void publishedVector() {
    assertThat(SlackSignature.sign(SECRET, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
  }

  @Test
  @DisplayName("Accepts Slack's example request within five minutes of its timestamp")
  void accepts() {
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, SIGNATURE, BODY, THEN)).isTrue();
    assertThat(
            SlackSignature.verify(
                SECRET, TIMESTAMP, SIGNATURE, new String(BODY, StandardCharsets.UTF_8), THEN))
        .isTrue();
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, SIGNATURE, BODY, THEN.plusSeconds(300)))
        .isTrue();
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, SIGNATURE, BODY, THEN.minusSeconds(300)))
        .isTrue();
  }

  @Test
  @DisplayName("Refuses a request more than five minutes away from now: a replay")
  void refusesOld() {
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, SIGNATURE, BODY, THEN.plusSeconds(301)))
        .isFalse();
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, SIGNATURE, BODY, THEN.minusSeconds(301)))
        .isFalse();
  }

  @Test
  @DisplayName("Refuses a changed body, another secret, a bad signature or missing headers")
  void refusesForgeries() {
    byte[] changed =
        new String(BODY, StandardCharsets.UTF_8)
            .replace("foobar", "general")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, SIGNATURE, changed, THEN)).isFalse();
    assertThat(SlackSignature.verify("another-secret", TIMESTAMP, SIGNATURE, BODY, THEN)).isFalse();
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, "v0=00", BODY, THEN)).isFalse();
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, SIGNATURE.toUpperCase(), BODY, THEN))
        .isFalse();
    assertThat(SlackSignature.verify(SECRET, null, SIGNATURE, BODY, THEN)).isFalse();
    assertThat(SlackSignature.verify(SECRET, TIMESTAMP, null, BODY, THEN)).isFalse();
    assertThat(SlackSignature.verify(SECRET, "not-a-time", SIGNATURE, BODY, THEN)).isFalse();
    assertThat(SlackSignature.verify("", TIMESTAMP, SIGNATURE, BODY, THEN)).isFalse();
  }
}
