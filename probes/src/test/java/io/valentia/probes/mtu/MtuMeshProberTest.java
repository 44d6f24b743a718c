package io.valentia.probes.mtu;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The MTU mesh prober")
class MtuMeshProberTest {
  private static final MtuProbeSettings FAST =
      new MtuProbeSettings(List.of(1472, 8972), Duration.ofMillis(300), 1, 10_000, 4, "ping");

  @Test
  @DisplayName("Against a real agent over loopback every size passes both ways")
  void loopbackPasses() {
    try (MtuEchoAgent agent = MtuEchoAgent.start(new InetSocketAddress("127.0.0.1", 0));
        MtuMeshProber prober = new MtuMeshProber(FAST)) {
      PeerReport report = prober.probe(new MtuPeer("127.0.0.1", agent.port()));

      assertThat(report.problem()).isFalse();
      assertThat(report.pings())
          .extracting(MtuPing::sizeBytes, MtuPing::ok, MtuPing::direction, MtuPing::mode)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1472, true, "both", "udp"),
              org.assertj.core.groups.Tuple.tuple(8972, true, "both", "udp"));
      assertThat(report.pings()).allSatisfy(p -> assertThat(p.rttMicros()).isNotNull());
      assertThat(agent.requests()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("A port where no agent answers is unreachable, not an MTU problem")
  void silentPeerIsUnreachable() throws Exception {
    int closed;
    try (DatagramSocket socket = new DatagramSocket(0)) {
      closed = socket.getLocalPort();
    }
    try (MtuMeshProber prober = new MtuMeshProber(FAST)) {
      PeerReport report = prober.probe(new MtuPeer("127.0.0.1", closed));

      assertThat(report.unreachable()).isTrue();
      assertThat(report.mismatches()).isEmpty();
      assertThat(report.pings())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.ok()).isFalse();
                assertThat(p.direction()).isEqualTo("unknown");
              });
    }
  }

  @Test
  @DisplayName("A name that does not resolve is unreachable")
  void unresolvableIsUnreachable() {
    try (MtuMeshProber prober = new MtuMeshProber(FAST)) {
      assertThat(prober.probe(new MtuPeer("no-such-host.invalid", 7347)).unreachable()).isTrue();
    }
  }

  @Test
  @DisplayName("Each broken direction is searched apart and reported with its own path MTU")
  void searchesEachDirection() {
    // a path that carries 1500-byte packets out and 4000-byte packets back
    EchoTransport path = new LimitedPath(1500 - 28, 4000 - 28);
    try (MtuMeshProber prober = new MtuMeshProber(FAST, peer -> path)) {
      PeerReport report = prober.probe(new MtuPeer("10.0.0.7", 7347));

      assertThat(report.mismatches())
          .extracting(
              MtuMismatch::direction,
              MtuMismatch::largestPassingBytes,
              MtuMismatch::smallestFailingBytes,
              MtuMismatch::estimatedPathMtu)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("out", 1472, 1473, 1500),
              org.assertj.core.groups.Tuple.tuple("in", 3972, 3973, 4000));
    }
  }

  @Test
  @DisplayName("The same limit both ways is one mismatch in both directions")
  void sameLimitBothWays() {
    EchoTransport path = new LimitedPath(2000, 2000);
    try (MtuMeshProber prober = new MtuMeshProber(FAST, peer -> path)) {
      assertThat(prober.probe(new MtuPeer("10.0.0.7", 7347)).mismatches())
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.direction()).isEqualTo("both");
                assertThat(m.estimatedPathMtu()).isEqualTo(2028);
              });
    }
  }

  @Test
  @DisplayName("The binary search finds the boundary exactly")
  void binarySearch() {
    assertThat(MtuMeshProber.search(1472, 8972, size -> size <= 1476)).containsExactly(1476, 1477);
    assertThat(MtuMeshProber.search(1472, 1473, size -> false)).containsExactly(1472, 1473);
  }

  /** A path with a largest payload per direction, answering at once (no network). */
  private record LimitedPath(int maxOut, int maxIn) implements EchoTransport {
    @Override
    public String mode() {
      return "udp";
    }

    @Override
    public boolean separatesDirections() {
      return true;
    }

    @Override
    public int minimumBytes() {
      return 16;
    }

    @Override
    public int headerBytes() {
      return 28;
    }

    @Override
    public EchoResult echo(int requestBytes, int replyBytes, Duration timeout) {
      if (requestBytes > maxOut) {
        return EchoResult.lost(EchoResult.Outcome.REQUEST_LOST);
      }
      if (replyBytes > maxIn) {
        return EchoResult.lost(EchoResult.Outcome.REPLY_LOST);
      }
      return EchoResult.ok(100);
    }

    @Override
    public void close() {}
  }
}
