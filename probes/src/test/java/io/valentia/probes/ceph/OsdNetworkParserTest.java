package io.valentia.probes.ceph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.payload.OsdPing;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading dump_osd_network")
class OsdNetworkParserTest {
  private final OsdNetworkParser parser = new OsdNetworkParser();

  @Test
  @DisplayName("Every entry of the documented output becomes a ping with its windows in ms")
  void readsTheDocumentedOutput() {
    OsdNetworkParser.Result result = parser.parse(CephFixtures.text("dump_osd_network.json"), 1000);

    assertThat(result.problems()).isEmpty();
    assertThat(result.pings())
        .extracting(OsdPing::fromOsd, OsdPing::toOsd, OsdPing::iface)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, 0, "front"),
            org.assertj.core.groups.Tuple.tuple(2, 0, "back"),
            org.assertj.core.groups.Tuple.tuple(2, 1, "front"));
    OsdPing first = result.pings().get(0);
    assertThat(first.lastMs()).isEqualTo(0.924);
    assertThat(first.averageMs()).isEqualTo(new OsdPing.Windows(1.023, 0.860, 0.883));
    assertThat(first.minMs()).isEqualTo(new OsdPing.Windows(0.818, 0.607, 0.607));
    assertThat(first.maxMs()).isEqualTo(new OsdPing.Windows(1.164, 1.173, 1.544));
    assertThat(first.stale()).isFalse();
    assertThat(first.thresholdMs()).isEqualTo(1000);
  }

  @Test
  @DisplayName("An entry that is not the format is skipped and named; the others are kept")
  void skipsBadEntries() {
    OsdNetworkParser.Result result =
        parser.parse(CephFixtures.text("dump_osd_network_slow.json"), 1000);

    assertThat(result.pings()).hasSize(3);
    assertThat(result.pings().get(1).stale()).isTrue();
    assertThat(result.problems())
        .singleElement()
        .asString()
        .startsWith("entries[3]:")
        .contains("from osd")
        .contains("interface");
  }

  @Test
  @DisplayName("Text that is not JSON, or JSON without entries, is refused with a clear message")
  void refusesOtherInput() {
    assertThatThrownBy(() -> parser.parse("HEALTH_OK", 1000))
        .isInstanceOf(CephFormatException.class)
        .hasMessageContaining("not dump_osd_network JSON");
    assertThatThrownBy(() -> parser.parse("{\"status\": \"HEALTH_OK\"}", 1000))
        .isInstanceOf(CephFormatException.class)
        .hasMessageContaining("entries");
  }

  @Test
  @DisplayName("An entry without averages (an older release) still counts")
  void acceptsEntriesWithoutWindows() {
    OsdNetworkParser.Result result =
        parser.parse(
            "{\"entries\":[{\"from osd\":1,\"to osd\":4,\"interface\":\"back\",\"last\":3.5,"
                + "\"extra\":{\"kept\":true}}]}",
            1000);

    assertThat(result.problems()).isEmpty();
    assertThat(result.pings())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.averageMs()).isNull();
              assertThat(p.lastMs()).isEqualTo(3.5);
            });
  }
}
