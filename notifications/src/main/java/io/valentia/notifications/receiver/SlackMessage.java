package io.valentia.notifications.receiver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Slack incoming-webhook message in Block Kit: a fallback {@code text} (what notifications and
 * old clients show), a header, the severity and counts as fields, one section per alert, a context
 * line and buttons to the incident, experiment and postmortem pages and the alerts' sources.
 *
 * <p>Within Slack's limits: at most {@value #MAX_BLOCKS} blocks, {@value #MAX_TEXT} characters per
 * section text, {@value #MAX_FIELDS} fields of {@value #MAX_FIELD} characters, a header of {@value
 * #MAX_HEADER}, and, because Slack refuses very long messages ({@code msg_blocks_too_long}) without
 * documenting the bound, at most {@value #MAX_ALERT_TEXT} characters of alert sections in all. The
 * alerts that do not fit are counted in an "and N more" line.
 */
public final class SlackMessage {
  public static final int MAX_BLOCKS = 50;
  public static final int MAX_TEXT = 3000;
  public static final int MAX_FIELDS = 10;
  public static final int MAX_FIELD = 2000;
  public static final int MAX_HEADER = 150;
  public static final int MAX_BUTTON_TEXT = 75;
  public static final int MAX_ALERT_TEXT = 12_000;

  private SlackMessage() {}

  /** The message for {@code n} (already filtered for {@code send_resolved}). */
  public static ObjectNode render(ReceiverConfig.Slack config, Notification n, URI externalUrl) {
    ObjectNode json = EventCodec.MAPPER.createObjectNode();
    putIfSet(json, "channel", config.channel());
    putIfSet(json, "username", config.username());
    putIfSet(json, "icon_emoji", config.iconEmoji());
    putIfSet(json, "icon_url", config.iconUrl());
    String title = config.title() != null ? config.title() : MessageText.title(n);
    json.put("text", MessageText.truncate(title, MAX_TEXT));

    List<ObjectNode> head = new ArrayList<>();
    head.add(header(emoji(n) + " " + title));
    if (config.text() != null && !config.text().isBlank()) {
      head.add(section(escape(config.text())));
    }
    head.add(fields(n));
    List<ObjectNode> tail = new ArrayList<>();
    tail.add(context(contextLine(n)));
    List<Links.Link> links = Links.of(n, externalUrl);
    if (!links.isEmpty()) {
      tail.add(actions(links));
    }

    ArrayNode blocks = json.putArray("blocks");
    head.forEach(blocks::add);
    blocks.addObject().put("type", "divider");
    int room = MAX_BLOCKS - head.size() - 1 - tail.size();
    int chars = 0;
    List<Alert> alerts = n.alerts();
    for (int i = 0; i < alerts.size(); i++) {
      String text = alertText(n, alerts.get(i));
      boolean last = i == alerts.size() - 1;
      int roomForThis = last ? room : room - 1; // keep a block for "and N more"
      if (roomForThis < 1 || chars + MessageText.length(text) > MAX_ALERT_TEXT) {
        blocks.add(context(MessageText.andMore(alerts.size() - i)));
        break;
      }
      blocks.add(section(text));
      room--;
      chars += MessageText.length(text);
    }
    tail.forEach(blocks::add);
    return json;
  }

  private static String emoji(Notification n) {
    if (!"firing".equals(n.status())) {
      return ":white_check_mark:";
    }
    return switch (MessageText.severity(n).toLowerCase(Locale.ROOT)) {
      case "critical", "error" -> ":red_circle:";
      case "warning" -> ":large_orange_circle:";
      default -> ":large_blue_circle:";
    };
  }

  private static ObjectNode header(String text) {
    ObjectNode block = EventCodec.MAPPER.createObjectNode().put("type", "header");
    block
        .putObject("text")
        .put("type", "plain_text")
        .put("text", MessageText.truncate(text, MAX_HEADER))
        .put("emoji", true);
    return block;
  }

  private static ObjectNode section(String mrkdwn) {
    ObjectNode block = EventCodec.MAPPER.createObjectNode().put("type", "section");
    block.set("text", mrkdwn(MessageText.truncate(mrkdwn, MAX_TEXT)));
    return block;
  }

  private static ObjectNode mrkdwn(String text) {
    return EventCodec.MAPPER.createObjectNode().put("type", "mrkdwn").put("text", text);
  }

  private static ObjectNode fields(Notification n) {
    List<String[]> fields = new ArrayList<>();
    String severity = MessageText.severity(n);
    if (!severity.isEmpty()) {
      fields.add(new String[] {"Severity", severity});
    }
    fields.add(new String[] {"Status", n.status()});
    fields.add(new String[] {"Alerts", MessageText.counts(n)});
    for (Map.Entry<String, String> g : n.groupLabels().entrySet()) {
      fields.add(new String[] {g.getKey(), g.getValue()});
    }
    ObjectNode block = EventCodec.MAPPER.createObjectNode().put("type", "section");
    ArrayNode array = block.putArray("fields");
    for (String[] f : fields.subList(0, Math.min(MAX_FIELDS, fields.size()))) {
      array.add(mrkdwn(MessageText.truncate("*" + escape(f[0]) + "*\n" + escape(f[1]), MAX_FIELD)));
    }
    return block;
  }

  private static String alertText(Notification n, Alert a) {
    boolean firing = MessageText.firing(n, a);
    StringBuilder text = new StringBuilder(firing ? ":fire: " : ":white_check_mark: ");
    String name = escape(MessageText.name(a));
    if (a.generatorUrl() != null && !a.generatorUrl().isBlank()) {
      text.append("*<").append(a.generatorUrl()).append('|').append(name).append(">*");
    } else {
      text.append('*').append(name).append('*');
    }
    text.append(firing ? " since " : " resolved ")
        .append(MessageText.when(firing ? a.startsAt() : a.endsAt()));
    String description = MessageText.description(a);
    if (description != null) {
      text.append('\n').append(escape(description));
    }
    List<String> labels = MessageText.distinctLabels(a, n.commonLabels());
    if (!labels.isEmpty()) {
      text.append('\n');
      for (String l : labels) {
        text.append('`').append(escape(l).replace("`", "'")).append("` ");
      }
      text.setLength(text.length() - 1);
    }
    return MessageText.truncate(text.toString(), MAX_TEXT);
  }

  private static String contextLine(Notification n) {
    String group = MessageText.groupPairs(n);
    return escape(
        "Valentia · receiver "
            + n.receiver()
            + (group.isEmpty() ? "" : " · group " + group)
            + " · "
            + MessageText.when(n.createdAt()));
  }

  private static ObjectNode context(String mrkdwn) {
    ObjectNode block = EventCodec.MAPPER.createObjectNode().put("type", "context");
    block.putArray("elements").add(mrkdwn(MessageText.truncate(mrkdwn, MAX_TEXT)));
    return block;
  }

  private static ObjectNode actions(List<Links.Link> links) {
    ObjectNode block = EventCodec.MAPPER.createObjectNode().put("type", "actions");
    ArrayNode elements = block.putArray("elements");
    for (int i = 0; i < links.size(); i++) {
      Links.Link link = links.get(i);
      ObjectNode button = elements.addObject().put("type", "button");
      button
          .putObject("text")
          .put("type", "plain_text")
          .put("text", MessageText.truncate(link.label(), MAX_BUTTON_TEXT));
      button.put("url", link.url());
      button.put("action_id", "link-" + i);
    }
    return block;
  }

  private static void putIfSet(ObjectNode json, String name, String value) {
    if (value != null && !value.isEmpty()) {
      json.put(name, value);
    }
  }

  /** Slack's mrkdwn escaping: {@code &}, {@code <} and {@code >} only. */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
