package io.valentia.notifications.receiver;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Notifications and receiver configurations the message tests share. */
final class Fixtures {
  static final Instant STARTED = Instant.parse("2026-12-07T05:00:00Z");
  static final Instant FLUSHED = Instant.parse("2026-12-07T05:10:00Z");
  static final URI EXTERNAL = URI.create("https://valentia.example");

  private Fixtures() {}

  /** Two alerts of incident inc-7: one firing on osd-12, one resolved on osd-3. */
  static Notification incident() {
    Alert firing =
        new Alert(
            Map.of(
                "type", "io.valentia.probe.mtu.mismatch.v1",
                "severity", "critical",
                "host", "osd-12",
                "incident", "inc-7"),
            Map.of("summary", "MTU mismatch", "description", "8972-byte pings to osd-3 fail"),
            STARTED,
            null,
            "https://valentia.example/live.html#osd-12");
    Alert resolved =
        new Alert(
            Map.of(
                "type", "io.valentia.probe.mtu.mismatch.v1",
                "severity", "critical",
                "host", "osd-3",
                "incident", "inc-7"),
            Map.of("summary", "MTU mismatch"),
            STARTED.plusNanos(120_000_000),
            STARTED.plusSeconds(300),
            null);
    return new Notification(
        "n-1",
        "storage-oncall",
        "{}:{incident=\"inc-7\"}",
        Map.of("incident", "inc-7"),
        List.of(firing, resolved),
        FLUSHED);
  }

  /** {@code count} firing alerts on hosts h-0, h-1, ... with descriptions of {@code chars}. */
  static Notification many(int count, int chars) {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      alerts.add(
          new Alert(
              Map.of(
                  "type", "io.valentia.probe.osd.ping.v1", "severity", "warning", "host", "h-" + i),
              Map.of("summary", "Slow heartbeats", "description", "x".repeat(chars)),
              STARTED,
              null,
              null));
    }
    return new Notification("n-many", "storage-oncall", "{}:{}", Map.of(), alerts, FLUSHED);
  }

  static ReceiverConfig.Slack slack(boolean sendResolved) {
    return new ReceiverConfig.Slack(
        URI.create("https://hooks.example/services/T000/B000/XXX"),
        "#storage",
        null,
        null,
        null,
        null,
        null,
        sendResolved);
  }

  static ReceiverConfig.Webhook webhook(int maxAlerts, String secret) {
    return new ReceiverConfig.Webhook(
        URI.create("http://pager.example:9095/alert"),
        true,
        maxAlerts,
        secret,
        Duration.ofSeconds(10));
  }

  static ReceiverConfig receiver(
      List<ReceiverConfig.Slack> slack,
      List<ReceiverConfig.Mattermost> mattermost,
      List<ReceiverConfig.Discord> discord,
      List<ReceiverConfig.Webhook> webhooks) {
    return new ReceiverConfig("storage-oncall", slack, mattermost, discord, webhooks);
  }
}
