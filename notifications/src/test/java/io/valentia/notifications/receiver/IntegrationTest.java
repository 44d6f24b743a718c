package io.valentia.notifications.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A receiver's integrations")
class IntegrationTest {

  @Test
  @DisplayName("Are named receiver/kind/index in the order of the configuration")
  void ids() {
    ReceiverConfig receiver =
        Fixtures.receiver(
            List.of(Fixtures.slack(false)),
            List.of(
                new ReceiverConfig.Mattermost(
                    URI.create("http://mm.example/hooks/abc"), null, null, null, null, true)),
            List.of(
                new ReceiverConfig.Discord(
                    URI.create("https://discord.example/api/webhooks/1/t"), null, null, true)),
            List.of(Fixtures.webhook(0, null), Fixtures.webhook(0, null)));

    assertThat(Integration.of(receiver))
        .extracting(Integration::id)
        .containsExactly(
            "storage-oncall/slack/0",
            "storage-oncall/mattermost/0",
            "storage-oncall/discord/0",
            "storage-oncall/webhook/0",
            "storage-oncall/webhook/1");
  }

  @Test
  @DisplayName("Without send_resolved, leave resolved alerts out of the message")
  void dropsResolved() {
    Integration slack =
        Integration.of(
                Fixtures.receiver(List.of(Fixtures.slack(false)), List.of(), List.of(), List.of()))
            .get(0);

    Notification view = slack.view(Fixtures.incident()).orElseThrow();

    assertThat(view.alerts()).extracting(a -> a.label("host")).containsExactly("osd-12");
    assertThat(view.id()).isEqualTo("n-1");
  }

  @Test
  @DisplayName("Without send_resolved, send nothing once no alert of the group fires")
  void nothingWhenAllResolved() {
    Notification incident = Fixtures.incident();
    Alert ended = incident.alerts().get(1);
    Notification resolved =
        new Notification(
            incident.id(),
            incident.receiver(),
            incident.groupKey(),
            incident.groupLabels(),
            List.of(ended),
            incident.createdAt());
    Integration slack =
        Integration.of(
                Fixtures.receiver(List.of(Fixtures.slack(false)), List.of(), List.of(), List.of()))
            .get(0);
    Integration webhook =
        Integration.of(
                Fixtures.receiver(
                    List.of(), List.of(), List.of(), List.of(Fixtures.webhook(0, null))))
            .get(0);

    assertThat(slack.request(resolved, Fixtures.EXTERNAL, Fixtures.FLUSHED)).isEmpty();
    assertThat(webhook.request(resolved, Fixtures.EXTERNAL, Fixtures.FLUSHED)).isPresent();
  }

  @Test
  @DisplayName("Take a Slack answer other than ok as a refusal, and any 2xx elsewhere as delivery")
  void slackAnswers() {
    Integration slack =
        Integration.of(
                Fixtures.receiver(List.of(Fixtures.slack(true)), List.of(), List.of(), List.of()))
            .get(0);
    Integration webhook =
        Integration.of(
                Fixtures.receiver(
                    List.of(), List.of(), List.of(), List.of(Fixtures.webhook(0, null))))
            .get(0);

    assertThat(slack.refusal("text/html", "ok")).isEmpty();
    assertThat(slack.refusal("application/json", "{\"ok\":true}")).isEmpty();
    assertThat(slack.refusal("text/html", "invalid_blocks"))
        .get()
        .asString()
        .contains("invalid_blocks");
    assertThat(slack.refusal("application/json", "{\"ok\":false,\"error\":\"no_text\"}"))
        .get()
        .asString()
        .contains("no_text");
    assertThat(webhook.refusal("text/plain", "")).isEmpty();
  }
}
