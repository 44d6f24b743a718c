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
  @DisplayName(
      "A mismatch is searched with sizes tried in parallel, each on a transport of its own, in a"
          + " few steps, and the steps are told as progress")
  void parallelSearchWithProgress() {
    // a path that carries 1500-byte packets out and 4000-byte packets back; a lost request waits
    // its timeout, as on a network
    WaitingPath.Counters counters = new WaitingPath.Counters();
    List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
    MtuProbeSettings settings =
        new MtuProbeSettings(List.of(1472, 8972), Duration.ofMillis(50), 1, 10_000, 16, "ping");
    try (MtuMeshProber prober =
        new MtuMeshProber(
            settings, peer -> new WaitingPath(1500 - 28, 4000 - 28, counters), progress::add)) {
      PeerReport report = prober.probe(new MtuPeer("10.0.0.7", 7347));

      assertThat(report.mismatches())
          .extracting(MtuMismatch::direction, MtuMismatch::estimatedPathMtu)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("out", 1500),
              org.assertj.core.groups.Tuple.tuple("in", 4000));
    }
    assertThat(counters.mostAtOnce.get()).isGreaterThan(1);
    assertThat(counters.opened.get()).isGreaterThan(1);
    assertThat(counters.closed.get()).isEqualTo(counters.opened.get());
    assertThat(progress).anyMatch(l -> l.contains("8972 bytes failed"));
    assertThat(progress).anyMatch(l -> l.startsWith("10.0.0.7:7347: done, path MTU"));
    // a binary search between 1472 and 8972 takes 13 steps per direction; eight at once take 5
    assertThat(progress.stream().filter(l -> l.contains(" out: ")).count()).isBetween(1L, 5L);
    assertThat(progress.stream().filter(l -> l.contains(" in: ")).count()).isBetween(1L, 5L);
  }

  /** A path with a largest payload per direction whose lost requests wait their timeout. */
  private static final class WaitingPath implements EchoTransport {
    static final class Counters {
      final java.util.concurrent.atomic.AtomicInteger opened =
          new java.util.concurrent.atomic.AtomicInteger();
      final java.util.concurrent.atomic.AtomicInteger closed =
          new java.util.concurrent.atomic.AtomicInteger();
      final java.util.concurrent.atomic.AtomicInteger now =
          new java.util.concurrent.atomic.AtomicInteger();
      final java.util.concurrent.atomic.AtomicInteger mostAtOnce =
          new java.util.concurrent.atomic.AtomicInteger();
    }

    private final int maxOut;
    private final int maxIn;
    private final Counters counters;

    WaitingPath(int maxOut, int maxIn, Counters counters) {
      this.maxOut = maxOut;
      this.maxIn = maxIn;
      this.counters = counters;
      counters.opened.incrementAndGet();
    }

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
      int outstanding = counters.now.incrementAndGet();
      counters.mostAtOnce.accumulateAndGet(outstanding, Math::max);
      try {
        if (requestBytes <= maxOut && replyBytes <= maxIn) {
          return EchoResult.ok(100);
        }
        try {
          Thread.sleep(timeout.toMillis()); // no answer comes: the wait a real loss costs
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return EchoResult.lost(
            requestBytes > maxOut
                ? EchoResult.Outcome.REQUEST_LOST
                : EchoResult.Outcome.REPLY_LOST);
      } finally {
        counters.now.decrementAndGet();
      }
    }

    @Override
    public void close() {
      counters.closed.incrementAndGet();
    }
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
