package io.valentia.notifications.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.alert.Notification;
import io.valentia.notifications.config.ReceiverConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Slack Block Kit message")
class SlackMessageTest {

  @Test
  @DisplayName("Has a fallback text, header, fields, a section per alert, context and link buttons")
  void exactMessage() throws Exception {
    JsonNode json =
        SlackMessage.render(Fixtures.slack(true), Fixtures.incident(), Fixtures.EXTERNAL);

    JsonNode expected =
        EventCodec.MAPPER.readTree(
            """
            {
              "channel": "#storage",
              "text": "[FIRING:1] MTU mismatch",
              "blocks": [
                {"type": "header", "text": {"type": "plain_text",
                  "text": ":red_circle: [FIRING:1] MTU mismatch", "emoji": true}},
                {"type": "section", "fields": [
                  {"type": "mrkdwn", "text": "*Severity*\\ncritical"},
                  {"type": "mrkdwn", "text": "*Status*\\nfiring"},
                  {"type": "mrkdwn", "text": "*Alerts*\\n1 firing, 1 resolved"},
                  {"type": "mrkdwn", "text": "*incident*\\ninc-7"}]},
                {"type": "divider"},
                {"type": "section", "text": {"type": "mrkdwn", "text":
                  ":fire: *<https://valentia.example/live.html#osd-12|MTU mismatch>* since 2026-12-07 05:00 UTC\\n8972-byte pings to osd-3 fail\\n`host=osd-12`"}},
                {"type": "section", "text": {"type": "mrkdwn", "text":
                  ":white_check_mark: *MTU mismatch* resolved 2026-12-07 05:05 UTC\\n`host=osd-3`"}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text":
                  "Valentia · receiver storage-oncall · group incident=inc-7 · 2026-12-07 05:10 UTC"}]},
                {"type": "actions", "elements": [
                  {"type": "button", "text": {"type": "plain_text", "text": "Incident inc-7"},
                   "url": "https://valentia.example/incidents.html#inc-7", "action_id": "link-0"},
                  {"type": "button", "text": {"type": "plain_text", "text": "Source"},
                   "url": "https://valentia.example/live.html#osd-12", "action_id": "link-1"}]}
              ]
            }
            """);
    assertThat(json).isEqualTo(expected);
  }

  @Test
  @DisplayName("Cuts a group of 200 alerts to 50 blocks, the rest counted as \"and N more\"")
  void blockLimit() {
    Notification n = Fixtures.many(200, 10);

    JsonNode json = SlackMessage.render(Fixtures.slack(true), n, Fixtures.EXTERNAL);

    JsonNode blocks = json.path("blocks");
    assertThat(blocks.size()).isLessThanOrEqualTo(SlackMessage.MAX_BLOCKS);
    int shown = alertSections(blocks);
    assertThat(moreLine(blocks)).isEqualTo("and " + (200 - shown) + " more");
    assertThat(shown).isGreaterThan(30);
  }

  @Test
  @DisplayName("Keeps each text under 3,000 characters and the alert sections under the budget")
  void textLimits() {
    Notification n = Fixtures.many(20, 5000);

    JsonNode json = SlackMessage.render(Fixtures.slack(true), n, Fixtures.EXTERNAL);

    int total = 0;
    for (JsonNode block : json.path("blocks")) {
      if (block.has("text")) {
        int length = block.path("text").path("text").asText().length();
        assertThat(length).isLessThanOrEqualTo(SlackMessage.MAX_TEXT);
        if (block.path("type").asText().equals("section")) {
          total += length;
        }
      }
    }
    assertThat(total).isLessThanOrEqualTo(SlackMessage.MAX_ALERT_TEXT);
    int shown = alertSections(json.path("blocks"));
    assertThat(shown).isEqualTo(4);
    assertThat(moreLine(json.path("blocks"))).isEqualTo("and 16 more");
  }

  @Test
  @DisplayName("Shows at most 10 fields of at most 2,000 characters")
  void fieldLimits() {
    java.util.Map<String, String> group = new java.util.TreeMap<>();
    for (int i = 0; i < 12; i++) {
      group.put("label" + i, "v".repeat(3000));
    }
    Notification base = Fixtures.many(1, 10);
    Notification n =
        new Notification(
            base.id(), base.receiver(), base.groupKey(), group, base.alerts(), base.createdAt());

    JsonNode json = SlackMessage.render(Fixtures.slack(true), n, Fixtures.EXTERNAL);

    JsonNode fields = json.path("blocks").get(1).path("fields");
    assertThat(fields.size()).isEqualTo(SlackMessage.MAX_FIELDS);
    for (JsonNode f : fields) {
      assertThat(f.path("text").asText().length()).isLessThanOrEqualTo(SlackMessage.MAX_FIELD);
    }
    assertThat(json.path("blocks").get(0).path("text").path("text").asText().length())
        .isLessThanOrEqualTo(SlackMessage.MAX_HEADER);
  }

  @Test
  @DisplayName("Escapes &, < and > in what alerts say, so they cannot forge links or mentions")
  void escapes() {
    Notification base = Fixtures.many(1, 0);
    var alert = base.alerts().get(0);
    var odd =
        new io.valentia.notifications.alert.Alert(
            alert.labels(),
            java.util.Map.of("summary", "<!channel> disk & <http://evil|click>"),
            alert.startsAt(),
            null,
            null);
    Notification n =
        new Notification(
            base.id(),
            base.receiver(),
            base.groupKey(),
            base.groupLabels(),
            List.of(odd),
            base.createdAt());

    JsonNode json = SlackMessage.render(Fixtures.slack(true), n, Fixtures.EXTERNAL);

    String text = json.path("blocks").get(3).path("text").path("text").asText();
    assertThat(text).contains("&lt;!channel&gt; disk &amp; &lt;http://evil|click&gt;");
  }

  @Test
  @DisplayName("Uses the configured title, text, username and icon")
  void configured() {
    ReceiverConfig.Slack config =
        new ReceiverConfig.Slack(
            Fixtures.slack(true).apiUrl(),
            null,
            "valentia",
            ":rotating_light:",
            null,
            "Storage alert",
            "Paging the storage team",
            true);

    JsonNode json = SlackMessage.render(config, Fixtures.incident(), Fixtures.EXTERNAL);

    assertThat(json.has("channel")).isFalse();
    assertThat(json.path("username").asText()).isEqualTo("valentia");
    assertThat(json.path("icon_emoji").asText()).isEqualTo(":rotating_light:");
    assertThat(json.path("text").asText()).isEqualTo("Storage alert");
    assertThat(json.path("blocks").get(1).path("text").path("text").asText())
        .isEqualTo("Paging the storage team");
  }

  private static int alertSections(JsonNode blocks) {
    List<JsonNode> sections = new ArrayList<>();
    for (JsonNode b : blocks) {
      if (b.path("type").asText().equals("section") && b.has("text")) {
        sections.add(b);
      }
    }
    return sections.size();
  }

  private static String moreLine(JsonNode blocks) {
    for (JsonNode b : blocks) {
      String text = b.path("elements").path(0).path("text").asText();
      if (b.path("type").asText().equals("context") && text.matches("and \\d+ more")) {
        return text;
      }
    }
    return null;
  }
}
