package io.valentia.notifications.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.receiver.Integration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Delivery settings")
class DeliverySettingsTest {

  @Test
  @DisplayName("Default to 1s, 5m and 24h, one request per second to Slack and Mattermost")
  void defaults() {
    List<String> problems = new ArrayList<>();
    DeliverySettings d = DeliverySettings.parse(EventCodec.MAPPER.missingNode(), problems);

    assertThat(problems).isEmpty();
    assertThat(d).isEqualTo(DeliverySettings.defaults());
    assertThat(d.initialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.maxBackoff()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.giveUpAfter()).isEqualTo(Duration.ofHours(24));
    assertThat(d.minInterval(Integration.Kind.SLACK)).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.minInterval(Integration.Kind.MATTERMOST)).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.minInterval(Integration.Kind.WEBHOOK)).isZero();
  }

  @Test
  @DisplayName("Reads every key, durations in Prometheus form")
  void reads() throws Exception {
    JsonNode node =
        EventCodec.MAPPER.readTree(
            """
            {"initial_backoff": "500ms", "max_backoff": "1h30m", "give_up_after": "2d",
             "jitter": 0, "failing_after": 5,
             "rate_per_second": {"slack": 2, "webhook": 10}}
            """);
    List<String> problems = new ArrayList<>();

    DeliverySettings d = DeliverySettings.parse(node, problems);

    assertThat(problems).isEmpty();
    assertThat(d.initialBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(d.maxBackoff()).isEqualTo(Duration.ofMinutes(90));
    assertThat(d.giveUpAfter()).isEqualTo(Duration.ofDays(2));
    assertThat(d.jitter()).isZero();
    assertThat(d.failingAfter()).isEqualTo(5);
    assertThat(d.minInterval(Integration.Kind.SLACK)).isEqualTo(Duration.ofMillis(500));
    assertThat(d.minInterval(Integration.Kind.WEBHOOK)).isEqualTo(Duration.ofMillis(100));
    assertThat(d.minInterval(Integration.Kind.MATTERMOST)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  @DisplayName("Reports every unknown key and bad value at once")
  void problems() throws Exception {
    JsonNode node =
        EventCodec.MAPPER.readTree(
            """
            {"initial_backof": "1s", "max_backoff": "soon", "give_up_after": 3,
             "jitter": 2, "rate_per_second": {"pager": 1, "slack": -1}}
            """);
    List<String> problems = new ArrayList<>();

    DeliverySettings d = DeliverySettings.parse(node, problems);

    assertThat(problems)
        .hasSize(6)
        .anySatisfy(p -> assertThat(p).contains("initial_backof: unknown key"))
        .anySatisfy(p -> assertThat(p).contains("max_backoff").contains("soon"))
        .anySatisfy(p -> assertThat(p).contains("give_up_after"))
        .anySatisfy(p -> assertThat(p).contains("jitter"))
        .anySatisfy(p -> assertThat(p).contains("rate_per_second.pager"))
        .anySatisfy(p -> assertThat(p).contains("rate_per_second.slack"));
    assertThat(d.maxBackoff()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  @DisplayName("Doubles the back-off from the initial wait up to the maximum, jitter shortening it")
  void backoff() {
    DeliverySettings d = DeliverySettings.defaults();

    assertThat(d.backoff(1, 0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.backoff(2, 0)).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.backoff(4, 0)).isEqualTo(Duration.ofSeconds(8));
    assertThat(d.backoff(9, 0)).isEqualTo(Duration.ofMinutes(4).plusSeconds(16));
    assertThat(d.backoff(10, 0)).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.backoff(1000, 0)).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.backoff(10, 0.999)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5));
  }

  @Test
  @DisplayName("Reads Retry-After as seconds or as an HTTP date")
  void retryAfter() {
    Instant now = Instant.parse("2026-12-07T05:00:00Z");

    assertThat(RetryAfter.parse("120", now)).isEqualTo(Duration.ofMinutes(2));
    assertThat(RetryAfter.parse("Mon, 07 Dec 2026 05:01:30 GMT", now))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(RetryAfter.parse("Mon, 07 Dec 2026 04:00:00 GMT", now)).isZero();
    assertThat(RetryAfter.parse("soon", now)).isNull();
    assertThat(RetryAfter.parse(null, now)).isNull();
  }
}
