package io.valentia.notifications.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.config.ReceiverConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Alertmanager webhook payload")
class WebhookMessageTest {

  @Test
  @DisplayName("Is Alertmanager's version 4 payload, with Go's zero time for a firing alert's end")
  void exactPayload() throws Exception {
    JsonNode json =
        WebhookMessage.render(Fixtures.webhook(0, null), Fixtures.incident(), Fixtures.EXTERNAL);

    JsonNode expected =
        EventCodec.MAPPER.readTree(
            """
            {
              "version": "4",
              "groupKey": "{}:{incident=\\"inc-7\\"}",
              "truncatedAlerts": 0,
              "status": "firing",
              "receiver": "storage-oncall",
              "groupLabels": {"incident": "inc-7"},
              "commonLabels": {"incident": "inc-7", "severity": "critical",
                               "type": "io.valentia.probe.mtu.mismatch.v1"},
              "commonAnnotations": {"summary": "MTU mismatch"},
              "externalURL": "https://valentia.example",
              "alerts": [
                {
                  "status": "firing",
                  "labels": {"host": "osd-12", "incident": "inc-7", "severity": "critical",
                             "type": "io.valentia.probe.mtu.mismatch.v1"},
                  "annotations": {"description": "8972-byte pings to osd-3 fail",
                                  "summary": "MTU mismatch"},
                  "startsAt": "2026-12-07T05:00:00Z",
                  "endsAt": "0001-01-01T00:00:00Z",
                  "generatorURL": "https://valentia.example/live.html#osd-12",
                  "fingerprint": "%s"
                },
                {
                  "status": "resolved",
                  "labels": {"host": "osd-3", "incident": "inc-7", "severity": "critical",
                             "type": "io.valentia.probe.mtu.mismatch.v1"},
                  "annotations": {"summary": "MTU mismatch"},
                  "startsAt": "2026-12-07T05:00:00.12Z",
                  "endsAt": "2026-12-07T05:05:00Z",
                  "generatorURL": "",
                  "fingerprint": "%s"
                }
              ]
            }
            """
                .formatted(
                    Fixtures.incident().alerts().get(0).fingerprint(),
                    Fixtures.incident().alerts().get(1).fingerprint()));
    assertThat(json).isEqualTo(expected);
    assertThat(json.path("alerts").get(0).path("fingerprint").asText()).matches("[0-9a-f]{16}");
  }

  @Test
  @DisplayName("Keeps the first max_alerts alerts and counts the rest in truncatedAlerts")
  void maxAlerts() {
    JsonNode json =
        WebhookMessage.render(Fixtures.webhook(1, null), Fixtures.incident(), Fixtures.EXTERNAL);

    assertThat(json.path("alerts")).hasSize(1);
    assertThat(json.path("truncatedAlerts").asInt()).isEqualTo(1);
    assertThat(json.path("commonLabels").path("host").asText()).isEqualTo("osd-12");
  }

  @Test
  @DisplayName("Writes times as Go marshals them: no fraction for whole seconds, no trailing zeros")
  void goTimes() {
    assertThat(WebhookMessage.goTime(Instant.parse("2026-12-07T05:00:00Z")))
        .isEqualTo("2026-12-07T05:00:00Z");
    assertThat(WebhookMessage.goTime(Instant.parse("2026-12-07T05:00:00.100Z")))
        .isEqualTo("2026-12-07T05:00:00.1Z");
    assertThat(WebhookMessage.goTime(Instant.parse("2026-12-07T05:00:00.000000983Z")))
        .isEqualTo("2026-12-07T05:00:00.000000983Z");
    assertThat(WebhookMessage.goTime(null)).isEqualTo("0001-01-01T00:00:00Z");
  }

  @Test
  @DisplayName("Signs a request with hmac_secret over the timestamp and the exact body")
  void signed() {
    ReceiverConfig receiver =
        Fixtures.receiver(List.of(), List.of(), List.of(), List.of(Fixtures.webhook(0, "s3cret")));
    Integration webhook = Integration.of(receiver).get(0);
    Instant now = Instant.parse("2026-12-07T05:10:01Z");

    Integration.Request request =
        webhook.request(Fixtures.incident(), Fixtures.EXTERNAL, now).orElseThrow();

    assertThat(request.headers())
        .containsEntry(Integration.NOTIFICATION_ID_HEADER, "n-1")
        .containsEntry(Integration.IDEMPOTENCY_KEY_HEADER, "n-1")
        .containsEntry(Integration.TIMESTAMP_HEADER, "1796620201");
    String signature = request.headers().get(Integration.SIGNATURE_HEADER);
    assertThat(signature).matches("sha256=[0-9a-f]{64}");
    assertThat(WebhookSignature.verify("s3cret", "1796620201", request.body(), signature)).isTrue();
    assertThat(WebhookSignature.verify("other", "1796620201", request.body(), signature)).isFalse();
    assertThat(WebhookSignature.verify("s3cret", "1796620202", request.body(), signature))
        .isFalse();
  }

  @Test
  @DisplayName("Sends the same body for every attempt of one notification")
  void stableBody() {
    ReceiverConfig receiver =
        Fixtures.receiver(List.of(), List.of(), List.of(), List.of(Fixtures.webhook(0, null)));
    Integration webhook = Integration.of(receiver).get(0);

    byte[] first =
        webhook
            .request(Fixtures.incident(), Fixtures.EXTERNAL, Fixtures.FLUSHED)
            .orElseThrow()
            .body();
    byte[] later =
        webhook
            .request(Fixtures.incident(), Fixtures.EXTERNAL, Fixtures.FLUSHED.plusSeconds(600))
            .orElseThrow()
            .body();

    assertThat(later).isEqualTo(first);
  }
}
