package io.valentia.probes.mtu;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The MTU mesh's health checks")
class MtuHealthTest {
  private static final MtuPeer PEER = new MtuPeer("osd-7", 7347);

  private static PeerReport healthy() {
    return new PeerReport(
        PEER, List.of(new MtuPing("osd-7:7347", 8972, true, 90L, "both", "udp")), List.of(), false);
  }

  private static PeerReport mismatched() {
    return new PeerReport(
        PEER,
        List.of(new MtuPing("osd-7:7347", 8972, false, null, "out", "udp")),
        List.of(new MtuMismatch("osd-7:7347", 1476, 1477, 1504, "out")),
        false);
  }

  private static PeerReport unreachable() {
    return new PeerReport(
        PEER,
        List.of(new MtuPing("osd-7:7347", 1472, false, null, "unknown", "udp")),
        List.of(),
        true);
  }

  @Test
  @DisplayName("The first round reports both checks, later rounds only what changed")
  void reportsChanges() {
    MtuHealth health = new MtuHealth("osd-12");

    assertThat(health.update(List.of(healthy())))
        .extracting(HealthChanged::check, HealthChanged::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("MTU_MISMATCH", "HEALTH_OK"),
            org.assertj.core.groups.Tuple.tuple("MTU_PEER_UNREACHABLE", "HEALTH_OK"));
    assertThat(health.update(List.of(healthy()))).isEmpty();

    List<HealthChanged> raised = health.update(List.of(mismatched()));
    assertThat(raised)
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.check()).isEqualTo("MTU_MISMATCH");
              assertThat(h.status()).isEqualTo("HEALTH_WARN");
              assertThat(h.count()).isEqualTo(1);
              assertThat(h.detail())
                  .containsExactly(
                      "osd-12 -> osd-7:7347 out: 1476 bytes pass, 1477 fail, path MTU about 1504");
            });
    assertThat(health.update(List.of(mismatched()))).isEmpty();
    assertThat(health.update(List.of(healthy())))
        .extracting(HealthChanged::check, HealthChanged::status, HealthChanged::count)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("MTU_MISMATCH", "HEALTH_OK", 0));
  }

  @Test
  @DisplayName("A peer that answers nothing raises MTU_PEER_UNREACHABLE, not MTU_MISMATCH")
  void unreachableIsItsOwnCheck() {
    MtuHealth health = new MtuHealth("osd-12");

    assertThat(health.update(List.of(unreachable())))
        .extracting(HealthChanged::check, HealthChanged::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("MTU_MISMATCH", "HEALTH_OK"),
            org.assertj.core.groups.Tuple.tuple("MTU_PEER_UNREACHABLE", "HEALTH_WARN"));
  }
}
