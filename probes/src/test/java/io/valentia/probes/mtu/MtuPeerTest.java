package io.valentia.probes.mtu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Naming MTU peers")
class MtuPeerTest {
  @Test
  @DisplayName("HOST:PORT, [IPv6]:PORT and, for ICMP, a bare host are read")
  void readsTheForms() {
    assertThat(MtuPeer.parse("osd-7:7347", true)).isEqualTo(new MtuPeer("osd-7", 7347));
    assertThat(MtuPeer.parse("[fd00::7]:7347", true)).isEqualTo(new MtuPeer("fd00::7", 7347));
    assertThat(MtuPeer.parse("[fd00::7]:7347", true).display()).isEqualTo("[fd00::7]:7347");
    assertThat(MtuPeer.parse("Switch-1", false)).isEqualTo(new MtuPeer("switch-1", 0));
    assertThat(MtuPeer.parse("fd00::7", false).display()).isEqualTo("fd00::7");
  }

  @Test
  @DisplayName("A UDP peer without a valid port is refused with what is wrong")
  void refusesBadPeers() {
    assertThatThrownBy(() -> MtuPeer.parse("osd-7", true)).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> MtuPeer.parse("osd-7:0", true)).hasMessageContaining("1 to 65535");
    assertThatThrownBy(() -> MtuPeer.parse("osd-7:x", true)).hasMessageContaining("1 to 65535");
    assertThatThrownBy(() -> MtuPeer.parse(":7347", true)).hasMessageContaining("no host");
    assertThatThrownBy(() -> MtuPeer.parse(" ", true)).hasMessageContaining("empty");
  }
}
