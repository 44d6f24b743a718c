package io.valentia.notifications.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.config.ReceiverConfig;
import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Discord message")
class DiscordMessageTest {
  private static final ReceiverConfig.Discord CONFIG =
      new ReceiverConfig.Discord(
          URI.create("https://discord.example/api/webhooks/1/token"), null, null, true);

  @Test
  @DisplayName("Is Alertmanager's shape: content and one embed with title, description and colour")
  void exactMessage() throws Exception {
    JsonNode json = DiscordMessage.render(CONFIG, Fixtures.incident(), Fixtures.EXTERNAL);

    JsonNode expected =
        EventCodec.MAPPER.readTree(
            """
            {
              "content": "",
              "embeds": [{
                "title": "[FIRING:1] MTU mismatch",
                "description": "**Severity:** critical · **Alerts:** 1 firing, 1 resolved\\n[Incident inc-7](https://valentia.example/incidents.html#inc-7) · [Source](https://valentia.example/live.html#osd-12)\\n\\n🔥 **[MTU mismatch](https://valentia.example/live.html#osd-12)** — 8972-byte pings to osd-3 fail `host=osd-12`\\n✅ **MTU mismatch** `host=osd-3`",
                "color": 10038562
              }]
            }
            """);
    assertThat(json).isEqualTo(expected);
  }

  @Test
  @DisplayName("Is green once every alert is resolved")
  void resolvedColour() {
    var n = Fixtures.incident();
    var resolved =
        new io.valentia.notifications.alert.Notification(
            n.id(),
            n.receiver(),
            n.groupKey(),
            n.groupLabels(),
            java.util.List.of(n.alerts().get(1)),
            n.createdAt());

    JsonNode json = DiscordMessage.render(CONFIG, resolved, Fixtures.EXTERNAL);

    assertThat(json.path("embeds").get(0).path("color").asInt()).isEqualTo(DiscordMessage.GREEN);
    assertThat(json.path("embeds").get(0).path("title").asText())
        .isEqualTo("[RESOLVED] MTU mismatch");
  }

  @Test
  @DisplayName("Keeps the title to 256 and the description to 4096 characters, with \"and N more\"")
  void limits() {
    ReceiverConfig.Discord config =
        new ReceiverConfig.Discord(CONFIG.webhookUrl(), "t".repeat(300), "m".repeat(2500), true);

    JsonNode json = DiscordMessage.render(config, Fixtures.many(300, 50), Fixtures.EXTERNAL);

    JsonNode embed = json.path("embeds").get(0);
    assertThat(embed.path("title").asText()).hasSize(256).endsWith("…");
    assertThat(json.path("content").asText()).hasSize(2000);
    String description = embed.path("description").asText();
    assertThat(description.codePointCount(0, description.length()))
        .isLessThanOrEqualTo(DiscordMessage.MAX_DESCRIPTION);
    long shown = description.lines().filter(l -> l.startsWith("🔥")).count();
    assertThat(description).endsWith("\nand " + (300 - shown) + " more");
  }
}
