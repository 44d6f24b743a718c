package io.valentia.notifications.receiver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A Discord webhook message in the shape of Alertmanager's Discord integration: {@code content}
 * (the configured message, at most 2000 characters) and one embed with a {@code title} (at most
 * 256), a {@code description} listing the alerts in Discord's markdown (at most 4096; the alerts
 * that do not fit are counted as "and N more") and a {@code color}: red while firing, green once
 * resolved.
 */
public final class DiscordMessage {
  public static final int MAX_TITLE = 256;
  public static final int MAX_DESCRIPTION = 4096;
  public static final int MAX_CONTENT = 2000;

  /** Alertmanager's colours. */
  public static final int RED = 0x992D22;

  public static final int GREEN = 0x2ECC71;

  private DiscordMessage() {}

  /** The message for {@code n} (already filtered for {@code send_resolved}). */
  public static ObjectNode render(ReceiverConfig.Discord config, Notification n, URI externalUrl) {
    ObjectNode json = EventCodec.MAPPER.createObjectNode();
    json.put(
        "content",
        MessageText.truncate(config.message() == null ? "" : config.message(), MAX_CONTENT));
    ObjectNode embed = json.putArray("embeds").addObject();
    String title = config.title() != null ? config.title() : MessageText.title(n);
    embed.put("title", MessageText.truncate(title, MAX_TITLE));
    embed.put("description", description(n, externalUrl));
    embed.put("color", "firing".equals(n.status()) ? RED : GREEN);
    return json;
  }

  private static String description(Notification n, URI externalUrl) {
    List<String> head = new ArrayList<>();
    String severity = MessageText.severity(n);
    head.add(
        (severity.isEmpty() ? "" : "**Severity:** " + severity + " · ")
            + "**Alerts:** "
            + MessageText.counts(n));
    List<String> links = new ArrayList<>();
    for (Links.Link link : Links.of(n, externalUrl)) {
      links.add("[" + escape(link.label()) + "](" + link.url() + ")");
    }
    if (!links.isEmpty()) {
      head.add(String.join(" · ", links));
    }
    String top = String.join("\n", head) + "\n";
    StringBuilder out = new StringBuilder(top);
    List<Alert> alerts = n.alerts();
    Truncation.Budget budget = new Truncation.Budget(MAX_DESCRIPTION);
    budget.take(MessageText.length(top));
    for (int i = 0; i < alerts.size(); i++) {
      String line = "\n" + line(n, alerts.get(i));
      int rest = alerts.size() - i - 1;
      String more = rest == 0 ? "" : "\n" + MessageText.andMore(rest);
      if (!budget.fits(line, more)) {
        out.append(
            MessageText.truncate("\n" + MessageText.andMore(alerts.size() - i), budget.left()));
        return MessageText.truncate(out.toString(), MAX_DESCRIPTION);
      }
      budget.take(MessageText.length(line));
      out.append(line);
    }
    return MessageText.truncate(out.toString(), MAX_DESCRIPTION);
  }

  private static String line(Notification n, Alert a) {
    String name = escape(MessageText.name(a));
    if (a.generatorUrl() != null && !a.generatorUrl().isBlank()) {
      name = "[" + name + "](" + a.generatorUrl() + ")";
    }
    StringBuilder line =
        new StringBuilder(MessageText.firing(n, a) ? "🔥 " : "✅ ")
            .append("**")
            .append(name)
            .append("**");
    String description = MessageText.description(a);
    if (description != null) {
      line.append(" — ").append(escape(description));
    }
    List<String> labels = MessageText.distinctLabels(a, n.commonLabels());
    if (!labels.isEmpty()) {
      line.append(" `").append(String.join(" ", labels).replace("`", "'")).append('`');
    }
    return MessageText.truncate(line.toString(), 1000);
  }

  /** Discord markdown: escapes the characters that would format or link. */
  static String escape(String text) {
    return text.replaceAll("([\\\\*_~`|\\[\\]()>#])", "\\\\$1");
  }
}
