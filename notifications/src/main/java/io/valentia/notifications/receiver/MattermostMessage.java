package io.valentia.notifications.receiver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * A Mattermost incoming-webhook message: the Slack shape with one attachment (Mattermost does not
 * render Block Kit) carrying a colour by severity, a title, the alerts as a markdown list and the
 * severity, counts and links as fields. The alert list is kept under {@value #MAX_TEXT} characters
 * (a Mattermost post holds 16383), the rest counted as "and N more".
 */
public final class MattermostMessage {
  public static final int MAX_TEXT = 7000;
  public static final int MAX_TITLE = 250;

  private MattermostMessage() {}

  /** The message for {@code n} (already filtered for {@code send_resolved}). */
  public static ObjectNode render(
      ReceiverConfig.Mattermost config, Notification n, URI externalUrl) {
    ObjectNode json = EventCodec.MAPPER.createObjectNode();
    if (config.channel() != null && !config.channel().isEmpty()) {
      json.put("channel", config.channel());
    }
    if (config.username() != null && !config.username().isEmpty()) {
      json.put("username", config.username());
    }
    if (config.iconUrl() != null && !config.iconUrl().isEmpty()) {
      json.put("icon_url", config.iconUrl());
    }
    if (config.text() != null && !config.text().isEmpty()) {
      json.put("text", config.text());
    }
    String title = MessageText.truncate(MessageText.title(n), MAX_TITLE);
    ObjectNode attachment = json.putArray("attachments").addObject();
    attachment.put("fallback", title);
    attachment.put("color", color(n));
    attachment.put("title", title);
    List<Links.Link> links = Links.of(n, externalUrl);
    if (!links.isEmpty()) {
      attachment.put("title_link", links.get(0).url());
    }
    attachment.put("text", alertList(n));
    ArrayNode fields = attachment.putArray("fields");
    String severity = MessageText.severity(n);
    if (!severity.isEmpty()) {
      field(fields, "Severity", severity);
    }
    field(fields, "Alerts", MessageText.counts(n));
    String group = MessageText.groupPairs(n);
    if (!group.isEmpty()) {
      field(fields, "Group", group);
    }
    for (Links.Link link : links) {
      field(fields, link.label(), "[" + link.label() + "](" + link.url() + ")");
    }
    attachment.put("footer", "Valentia · receiver " + n.receiver());
    return json;
  }

  /** Red for critical, orange for warning, blue for the rest; green once resolved. */
  static String color(Notification n) {
    if (!"firing".equals(n.status())) {
      return "#2ECC71";
    }
    return switch (MessageText.severity(n).toLowerCase(Locale.ROOT)) {
      case "critical", "error" -> "#992D22";
      case "warning" -> "#E67E22";
      default -> "#3498DB";
    };
  }

  private static void field(ArrayNode fields, String title, String value) {
    fields.addObject().put("short", true).put("title", title).put("value", value);
  }

  private static String alertList(Notification n) {
    List<Alert> alerts = n.alerts();
    StringBuilder out = new StringBuilder();
    Truncation.Budget budget = new Truncation.Budget(MAX_TEXT);
    for (int i = 0; i < alerts.size(); i++) {
      String line = (i == 0 ? "" : "\n") + line(n, alerts.get(i));
      int rest = alerts.size() - i - 1;
      String more = rest == 0 ? "" : "\n" + MessageText.andMore(rest);
      if (!budget.fits(line, more)) {
        out.append(i == 0 ? "" : "\n").append(MessageText.andMore(alerts.size() - i));
        break;
      }
      budget.take(MessageText.length(line));
      out.append(line);
    }
    return out.toString();
  }

  private static String line(Notification n, Alert a) {
    String name = MessageText.name(a);
    if (a.generatorUrl() != null && !a.generatorUrl().isBlank()) {
      name = "[" + name + "](" + a.generatorUrl() + ")";
    }
    StringBuilder line =
        new StringBuilder("- ")
            .append(MessageText.firing(n, a) ? ":fire: " : ":white_check_mark: ")
            .append("**")
            .append(name)
            .append("**");
    String description = MessageText.description(a);
    if (description != null) {
      line.append(" — ").append(description);
    }
    List<String> labels = MessageText.distinctLabels(a, n.commonLabels());
    if (!labels.isEmpty()) {
      line.append(" `").append(String.join(" ", labels).replace("`", "'")).append('`');
    }
    return MessageText.truncate(line.toString(), 1000);
  }
}
