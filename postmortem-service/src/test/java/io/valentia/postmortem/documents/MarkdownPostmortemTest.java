package io.valentia.postmortem.documents;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MarkdownPostmortemTest {
  private static String resource(String name) throws IOException {
    try (InputStream in =
        MarkdownPostmortemTest.class.getResourceAsStream("/postmortems/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  @DisplayName("A postmortem in the SRE-book Markdown template is read into every section")
  void readsEverySection() throws IOException {
    Postmortem p = MarkdownPostmortem.parse(resource("blaming.md"));

    assertThat(p.title()).isEqualTo("OSD flapping on rack 3 after the jumbo-frame change");
    assertThat(p.status()).isEqualTo("draft");
    assertThat(p.incidentId()).isEqualTo("inc-0192f7c1");
    assertThat(p.summary()).startsWith("Ceph OSDs on rack 3 flapped");
    assertThat(p.contributingFactors()).hasSize(2);
    assertThat(p.actionItems())
        .containsExactly(
            new Postmortem.ActionItem(
                "Check path MTU before applying an MTU change",
                "Dana Scully",
                "2026-12-15",
                "open"),
            new Postmortem.ActionItem(
                "Alert on OSD heartbeat slowness", "Fox Mulder", "2026-12-20", "done"));
    assertThat(p.wentWell()).containsExactly("The MTU probe found the black hole within a minute.");
    assertThat(p.gotLucky()).containsExactly("It happened at night.");
    assertThat(p.timeline()).hasSize(3);
    assertThat(p.timeline().get(0))
        .isEqualTo(
            new Postmortem.TimelineEntry(
                "2026-11-29T04:00:00Z",
                "MTU raised to 9000 on osd-12..osd-19",
                java.util.List.of("0192f7c1-0001")));
    assertThat(p.testimonies())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.who()).isEqualTo("Dana Scully");
              assertThat(t.role()).isEqualTo("storage on-call");
              assertThat(t.given()).isEqualTo("2026-11-30");
              assertThat(t.statement()).contains("rolled it back at 04:25");
              assertThat(t.evidence()).containsExactly("0192f7c1-0001");
            });
    assertThat(p.findings().get(0).evidence()).containsExactly("0192f7c1-0001");
    assertThat(p.recommendations()).hasSize(1);
  }

  @Test
  @DisplayName("Export to Markdown and import again gives the same document, and JSON round-trips")
  void roundTrips() throws IOException {
    Postmortem p = MarkdownPostmortem.parse(resource("clean.md"));

    assertThat(MarkdownPostmortem.parse(MarkdownPostmortem.render(p))).isEqualTo(p);
    String json = EventCodec.MAPPER.writeValueAsString(p);
    assertThat(EventCodec.MAPPER.readValue(json, Postmortem.class)).isEqualTo(p);
  }
}
