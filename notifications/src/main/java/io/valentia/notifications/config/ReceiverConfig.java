package io.valentia.notifications.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A receiver of the configuration ({@code receivers:}), in Alertmanager's shape: a name and the
 * integrations a notification for it is sent to. A receiver with no integration is valid
 * (Alertmanager's "blackhole").
 *
 * @param name unique among the receivers; routes name it
 */
public record ReceiverConfig(
    String name,
    List<Slack> slack,
    List<Mattermost> mattermost,
    List<Discord> discord,
    List<Webhook> webhooks) {

  public ReceiverConfig {
    slack = List.copyOf(slack);
    mattermost = List.copyOf(mattermost);
    discord = List.copyOf(discord);
    webhooks = List.copyOf(webhooks);
  }

  /** How many integrations the receiver sends to. */
  public int integrations() {
    return slack.size() + mattermost.size() + discord.size() + webhooks.size();
  }

  /**
   * {@code slack_configs}: a Slack incoming webhook, sent a Block Kit message.
   *
   * @param apiUrl {@code api_url}: the incoming webhook's address
   * @param channel {@code channel}; null for the webhook's own channel
   * @param username {@code username}; may be null
   * @param iconEmoji {@code icon_emoji}; may be null
   * @param iconUrl {@code icon_url}; may be null
   * @param title {@code title}: the header; null for Valentia's own
   * @param text {@code text}: a line under the header; may be null
   * @param sendResolved {@code send_resolved} (Alertmanager's default for Slack: false)
   */
  public record Slack(
      URI apiUrl,
      String channel,
      String username,
      String iconEmoji,
      String iconUrl,
      String title,
      String text,
      boolean sendResolved) {}

  /**
   * {@code mattermost_configs}: a Mattermost incoming webhook, sent the Slack shape with
   * attachments (colour and fields; Mattermost does not render Block Kit).
   *
   * @param webhookUrl {@code webhook_url}
   * @param channel {@code channel}; may be null
   * @param username {@code username}; may be null
   * @param iconUrl {@code icon_url}; may be null
   * @param text {@code text}: a line above the attachments; may be null
   * @param sendResolved {@code send_resolved} (default true)
   */
  public record Mattermost(
      URI webhookUrl,
      String channel,
      String username,
      String iconUrl,
      String text,
      boolean sendResolved) {}

  /**
   * {@code discord_configs}: a Discord webhook, sent embeds (Alertmanager's Discord integration).
   *
   * @param webhookUrl {@code webhook_url}
   * @param title {@code title}; null for Valentia's own
   * @param message {@code message}: content above the embed; may be null
   * @param sendResolved {@code send_resolved} (default true)
   */
  public record Discord(URI webhookUrl, String title, String message, boolean sendResolved) {}

  /**
   * {@code webhook_configs}: any HTTP endpoint, sent Alertmanager's webhook payload (version 4).
   *
   * @param url {@code url}
   * @param sendResolved {@code send_resolved} (default true)
   * @param maxAlerts {@code max_alerts}: at most this many alerts per message, 0 for all (the rest
   *     counted in {@code truncatedAlerts})
   * @param hmacSecret {@code hmac_secret} (Valentia's addition): when set, each request carries
   *     {@code X-Valentia-Timestamp} and {@code X-Valentia-Signature: sha256=HEX}, the HMAC-SHA256
   *     of {@code TIMESTAMP.BODY}; null for unsigned
   * @param timeout {@code timeout}: how long one request may take (default 10s)
   */
  public record Webhook(
      URI url, boolean sendResolved, int maxAlerts, String hmacSecret, Duration timeout) {}
}
