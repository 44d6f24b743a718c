package io.valentia.probes.ceph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading ceph health detail")
class HealthDetailParserTest {
  private final HealthDetailParser parser = new HealthDetailParser();

  @Test
  @DisplayName("The text form names each check with its severity, summary and detail lines")
  void readsTheTaggedTextForm() {
    CephHealth health = parser.parse(CephFixtures.text("health_detail.txt"));

    assertThat(health.status()).isEqualTo("HEALTH_WARN");
    assertThat(health.problems()).isEmpty();
    assertThat(health.checks())
        .extracting(CephHealth.Check::name)
        .containsExactly("OSD_SLOW_PING_TIME_BACK", "OSD_SLOW_PING_TIME_FRONT");
    CephHealth.Check back = health.check("OSD_SLOW_PING_TIME_BACK").orElseThrow();
    assertThat(back.severity()).isEqualTo("HEALTH_WARN");
    assertThat(back.summary()).isEqualTo("Slow OSD heartbeats on back (longest 1118.001ms)");
    assertThat(back.detail())
        .hasSize(4)
        .first()
        .isEqualTo(
            "Slow OSD heartbeats on back from osd.0 [dc1,rack1] to osd.1 [dc1,rack1] 1118.001"
                + " msec possibly improving");
    assertThat(health.check("OSD_SLOW_PING_TIME_FRONT").orElseThrow().detail()).hasSize(3);
  }

  @Test
  @DisplayName("The untagged form of earlier releases, empty crush parents and (down) are read")
  void readsTheUntaggedTextForm() {
    CephHealth health = parser.parse(CephFixtures.text("health_detail_before_nautilus.txt"));

    assertThat(health.problems()).isEmpty();
    assertThat(health.checks())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo("OSD_SLOW_PING_TIME_BACK");
              assertThat(c.detail()).hasSize(2);
              assertThat(c.detail().get(1)).contains("osd.3 (down) []");
            });
  }

  @Test
  @DisplayName("The JSON form gives the same checks, and other checks are kept too")
  void readsTheJsonForm() {
    CephHealth health = parser.parse(CephFixtures.text("health_detail.json"));

    assertThat(health.status()).isEqualTo("HEALTH_WARN");
    assertThat(health.checks())
        .extracting(CephHealth.Check::name)
        .containsExactly("OSD_SLOW_PING_TIME_BACK", "OSDMAP_FLAGS");
    assertThat(health.check("OSD_SLOW_PING_TIME_BACK").orElseThrow().detail()).hasSize(2);
  }

  @Test
  @DisplayName("HEALTH_OK alone has no checks")
  void readsHealthOk() {
    CephHealth health = parser.parse(CephFixtures.text("health_ok.txt"));

    assertThat(health.status()).isEqualTo("HEALTH_OK");
    assertThat(health.checks()).isEmpty();
  }

  @Test
  @DisplayName("Lines that are not the format are counted and named, never fatal")
  void countsStrangeLines() {
    CephHealth health =
        parser.parse(
            "HEALTH_WARN something\n  orphan detail\n[WRN] OSD_SLOW_PING_TIME_FRONT: slow\n"
                + "    detail one\nlower case noise\n");

    assertThat(health.checks()).hasSize(1);
    assertThat(health.problems())
        .containsExactly(
            "line 2: detail line before any check",
            "line 5: not a check or an indented detail line");
  }

  @Test
  @DisplayName("Output that does not start with a health status is refused")
  void refusesOtherInput() {
    assertThatThrownBy(() -> parser.parse("Error EACCES: access denied"))
        .isInstanceOf(CephFormatException.class)
        .hasMessageContaining("HEALTH_OK");
    assertThatThrownBy(() -> parser.parse("{\"entries\": []}"))
        .isInstanceOf(CephFormatException.class);
  }
}
