package io.valentia.probes.mtu;

import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import java.util.List;

/**
 * One round's findings for one peer.
 *
 * @param peer the peer
 * @param pings one result per configured size that was probed
 * @param mismatches one per broken direction (or one with direction {@code both}); empty when the
 *     largest size passes or the peer is unreachable
 * @param unreachable whether the peer answered not even the safe size
 */
public record PeerReport(
    MtuPeer peer, List<MtuPing> pings, List<MtuMismatch> mismatches, boolean unreachable) {
  public PeerReport {
    pings = List.copyOf(pings);
    mismatches = List.copyOf(mismatches);
  }

  /** Whether something is wrong with this peer. */
  public boolean problem() {
    return unreachable || !mismatches.isEmpty();
  }
}
