package io.valentia.notifications.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Mattermost message")
class MattermostMessageTest {
  private static final ReceiverConfig.Mattermost CONFIG =
      new ReceiverConfig.Mattermost(
          URI.create("http://mm.example/hooks/abc"), "storage", "valentia", null, null, true);

  @Test
  @DisplayName("Is the Slack shape with one attachment: colour, title, alert list and fields")
  void exactMessage() throws Exception {
    JsonNode json = MattermostMessage.render(CONFIG, Fixtures.incident(), Fixtures.EXTERNAL);

    JsonNode expected =
        EventCodec.MAPPER.readTree(
            """
            {
              "channel": "storage",
              "username": "valentia",
              "attachments": [{
                "fallback": "[FIRING:1] MTU mismatch",
                "color": "#992D22",
                "title": "[FIRING:1] MTU mismatch",
                "title_link": "https://valentia.example/incidents.html#inc-7",
                "text": "- :fire: **[MTU mismatch](https://valentia.example/live.html#osd-12)** — 8972-byte pings to osd-3 fail `host=osd-12`\\n- :white_check_mark: **MTU mismatch** `host=osd-3`",
                "fields": [
                  {"short": true, "title": "Severity", "value": "critical"},
                  {"short": true, "title": "Alerts", "value": "1 firing, 1 resolved"},
                  {"short": true, "title": "Group", "value": "incident=inc-7"},
                  {"short": true, "title": "Incident inc-7",
                   "value": "[Incident inc-7](https://valentia.example/incidents.html#inc-7)"},
                  {"short": true, "title": "Source",
                   "value": "[Source](https://valentia.example/live.html#osd-12)"}
                ],
                "footer": "Valentia · receiver storage-oncall"
              }]
            }
            """);
    assertThat(json).isEqualTo(expected);
    assertThat(json.has("blocks")).isFalse();
  }

  @Test
  @DisplayName("Lists as many alerts as fit and counts the rest as \"and N more\"")
  void truncates() {
    JsonNode json = MattermostMessage.render(CONFIG, Fixtures.many(500, 100), Fixtures.EXTERNAL);

    String text = json.path("attachments").get(0).path("text").asText();
    assertThat(text.length()).isLessThanOrEqualTo(MattermostMessage.MAX_TEXT);
    long shown = text.lines().filter(l -> l.startsWith("- ")).count();
    assertThat(text).endsWith("\nand " + (500 - shown) + " more");
    assertThat(shown).isGreaterThan(10);
  }
}
