package io.valentia.notifications.config;

import static io.valentia.notifications.config.ConfigValues.NOT_SUPPORTED;
import static io.valentia.notifications.config.ConfigValues.duration;
import static io.valentia.notifications.config.ConfigValues.mapping;
import static io.valentia.notifications.config.ConfigValues.string;
import static io.valentia.notifications.config.ConfigValues.url;

import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the {@code receivers:} list with Alertmanager's checks: unique names, and for each kind of
 * integration (Slack, Mattermost, Discord, webhook) the keys it supports and their defaults.
 */
final class ReceiverReader {
  private static final Set<String> RECEIVER_KEYS =
      Set.of("name", "slack_configs", "mattermost_configs", "discord_configs", "webhook_configs");
  private static final Set<String> SLACK_KEYS =
      Set.of(
          "api_url",
          "channel",
          "username",
          "icon_emoji",
          "icon_url",
          "title",
          "text",
          "send_resolved");
  private static final Set<String> MATTERMOST_KEYS =
      Set.of("webhook_url", "channel", "username", "icon_url", "text", "send_resolved");
  private static final Set<String> DISCORD_KEYS =
      Set.of("webhook_url", "title", "message", "send_resolved");
  private static final Set<String> WEBHOOK_KEYS =
      Set.of("url", "send_resolved", "max_alerts", "hmac_secret", "timeout");

  static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(10);

  private static final Field<Integer> MAX_ALERTS =
      Field.integer("max_alerts")
          .withDefault(0)
          .validateAll(n -> n >= 0, node -> "must be a whole number, 0 or more (0 for all)");
  private static final Field<Duration> TIMEOUT =
      duration("timeout", false).withDefault(DEFAULT_WEBHOOK_TIMEOUT);

  private ReceiverReader() {}

  static List<ReceiverConfig> receivers(ConfigSection node) {
    List<ReceiverConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigSection r : node.items("must be a list of receivers")) {
      if (!mapping(r)) {
        continue;
      }
      r.checkKeyNames(RECEIVER_KEYS, NOT_SUPPORTED);
      String name =
          r.get(
              string("name")
                  .required("missing name in receiver")
                  .validate(n -> !n.isEmpty(), "must not be empty"));
      if (name != null && !names.add(name)) {
        r.problem("name", "receiver name \"" + name + "\" is not unique");
      }
      List<ReceiverConfig.Slack> slack =
          list(r, "slack_configs", SLACK_KEYS, ReceiverReader::slack);
      List<ReceiverConfig.Mattermost> mattermost =
          list(r, "mattermost_configs", MATTERMOST_KEYS, ReceiverReader::mattermost);
      List<ReceiverConfig.Discord> discord =
          list(r, "discord_configs", DISCORD_KEYS, ReceiverReader::discord);
      List<ReceiverConfig.Webhook> webhooks =
          list(r, "webhook_configs", WEBHOOK_KEYS, ReceiverReader::webhook);
      if (name != null) {
        out.add(new ReceiverConfig(name, slack, mattermost, discord, webhooks));
      }
    }
    return out;
  }

  private static <T> List<T> list(
      ConfigSection receiver, String key, Set<String> keys, Function<ConfigSection, T> reader) {
    List<T> out = new ArrayList<>();
    for (ConfigSection item : receiver.section(key).items("must be a list")) {
      if (!mapping(item)) {
        continue;
      }
      item.checkKeyNames(keys, NOT_SUPPORTED);
      T value = reader.apply(item);
      if (value != null) {
        out.add(value);
      }
    }
    return out;
  }

  private static ReceiverConfig.Slack slack(ConfigSection n) {
    return new ReceiverConfig.Slack(
        n.get(url("api_url").required("missing: required")),
        n.get(string("channel")),
        n.get(string("username")),
        n.get(string("icon_emoji")),
        n.get(string("icon_url")),
        n.get(string("title")),
        n.get(string("text")),
        n.get(Field.bool("send_resolved").withDefault(false)));
  }

  private static ReceiverConfig.Mattermost mattermost(ConfigSection n) {
    return new ReceiverConfig.Mattermost(
        n.get(url("webhook_url").required("missing: required")),
        n.get(string("channel")),
        n.get(string("username")),
        n.get(string("icon_url")),
        n.get(string("text")),
        n.get(Field.bool("send_resolved").withDefault(true)));
  }

  private static ReceiverConfig.Discord discord(ConfigSection n) {
    return new ReceiverConfig.Discord(
        n.get(url("webhook_url").required("missing: required")),
        n.get(string("title")),
        n.get(string("message")),
        n.get(Field.bool("send_resolved").withDefault(true)));
  }

  private static ReceiverConfig.Webhook webhook(ConfigSection n) {
    URI url = n.get(url("url").required("missing: required"));
    int maxAlerts = n.get(MAX_ALERTS);
    Duration timeout = n.get(TIMEOUT);
    String secret =
        n.get(
            string("hmac_secret")
                .validate(
                    s -> !s.isEmpty(), "must not be empty (leave it out for unsigned requests)"));
    return new ReceiverConfig.Webhook(
        url, n.get(Field.bool("send_resolved").withDefault(true)), maxAlerts, secret, timeout);
  }
}
