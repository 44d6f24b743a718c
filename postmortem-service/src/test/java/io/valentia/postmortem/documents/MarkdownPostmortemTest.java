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
                "prevent",
                "Dana Scully",
                "2026-12-15",
                "open",
                ""),
            new Postmortem.ActionItem(
                "Alert on OSD heartbeat slowness",
                "detect",
                "Fox Mulder",
                "2026-12-20",
                "done",
                ""));
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
  @DisplayName(
      "The SRE book's example is read whole: date, authors, status, every bold-labelled field, the"
          + " action items' type and bug, the lessons, the timeline and supporting information")
  void readsTheSreBookTemplate() throws IOException {
    Postmortem p = MarkdownPostmortem.parse(resource("sre-book.md"));

    assertThat(p.title()).isEqualTo("Shakespeare Sonnet++ Postmortem (incident #465)");
    assertThat(p.date()).isEqualTo("2015-10-21");
    assertThat(p.authors()).containsExactly("jennifer", "martym", "agoogler");
    assertThat(p.status()).isEqualTo("final");
    assertThat(p.summary())
        .isEqualTo(
            "Shakespeare Search down for 66 minutes during period of very high interest in\n"
                + "Shakespeare due to discovery of a new sonnet.");
    assertThat(p.impact()).isEqualTo("Estimated 1.21B queries lost, no revenue impact.");
    assertThat(p.contributingFactors())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("Cascading failure due to combination")
        .endsWith("not being in the Shakespeare corpus.");
    assertThat(p.trigger()).isEqualTo("Latent bug triggered by sudden increase in traffic.");
    assertThat(p.resolution()).startsWith("Directed traffic").endsWith("cascading failure.");
    assertThat(p.detection())
        .isEqualTo("Borgmon detected high level of HTTP 500s and paged on-call.");
    // the Bug column as the SRE book's example writes it: a bug number or n/a, then the item's
    // status in bold (TODO/DONE are the document's words, kept as written)
    assertThat(p.actionItems())
        .containsExactly(
            new Postmortem.ActionItem(
                "Update playbook with instructions for responding to cascading failure",
                "mitigate",
                "jennifer",
                "",
                "",
                "n/a **DONE**"),
            new Postmortem.ActionItem(
                "Use flux capacitor to balance load between clusters",
                "prevent",
                "martym",
                "",
                "",
                "Bug 5554823 **TODO**"),
            new Postmortem.ActionItem(
                "Schedule cascading failure test during next DiRT",
                "process",
                "docbrown",
                "",
                "",
                "n/a **TODO**"));
    assertThat(p.wentWell()).hasSize(2);
    assertThat(p.wentWrong()).hasSize(2);
    assertThat(p.gotLucky()).hasSize(1);
    assertThat(p.timeline())
        .extracting(Postmortem.TimelineEntry::time)
        .containsExactly("14:51", "14:53", "14:54", "16:00");
    assertThat(p.timeline().get(2).text())
        .isEqualTo("**OUTAGE BEGINS** -- Search backend starts melting down under load");
    assertThat(p.supportingInformation())
        .containsExactly(
            "Monitoring dashboard, http://monitor/shakespeare?end_time=20151021T160000&duration=7200");
    assertThat(MarkdownPostmortem.parse(MarkdownPostmortem.render(p))).isEqualTo(p);
  }

  @Test
  @DisplayName(
      "A document stored before date, authors, supporting information and the action items' type"
          + " and bug existed still reads, with those empty")
  void readsOlderJson() throws IOException {
    String json =
        "{\"title\":\"t\",\"status\":\"final\",\"summary\":\"s\",\"actionItems\":"
            + "[{\"action\":\"a\",\"owner\":\"o\",\"due\":\"d\",\"status\":\"open\"}]}";

    Postmortem p = EventCodec.MAPPER.readValue(json, Postmortem.class);

    assertThat(p.date()).isEmpty();
    assertThat(p.authors()).isEmpty();
    assertThat(p.supportingInformation()).isEmpty();
    assertThat(p.actionItems())
        .containsExactly(new Postmortem.ActionItem("a", "", "o", "d", "open", ""));
  }

  @Test
  @DisplayName("Export to Markdown and import again gives the same document, and JSON round-trips")
  void roundTrips() throws IOException {
    Postmortem p = MarkdownPostmortem.parse(resource("clean.md"));

    assertThat(MarkdownPostmortem.parse(MarkdownPostmortem.render(p))).isEqualTo(p);
    String json = EventCodec.MAPPER.writeValueAsString(p);
    assertThat(EventCodec.MAPPER.readValue(json, Postmortem.class)).isEqualTo(p);
  }

  @Test
  @DisplayName(
      "A pipe typed into an action item is escaped in the exported table and read back as a pipe,"
          + " so the columns stay where they were")
  void pipesInActionItemsRoundTrip() {
    Postmortem p =
        MarkdownPostmortem.parse(
            "# Pipes\n\n## Action Items\n\n| Action | Type | Owner | Due | Status | Bug |\n"
                + "|---|---|---|---|---|---|\n"
                + "| grep a \\| wc -l in the runbook | process | ops | 2026-12-31 | open | n/a |\n");

    assertThat(p.actionItems())
        .containsExactly(
            new Postmortem.ActionItem(
                "grep a | wc -l in the runbook", "process", "ops", "2026-12-31", "open", "n/a"));
    assertThat(MarkdownPostmortem.render(p)).contains("grep a \\| wc -l");
    assertThat(MarkdownPostmortem.parse(MarkdownPostmortem.render(p))).isEqualTo(p);
  }
}
