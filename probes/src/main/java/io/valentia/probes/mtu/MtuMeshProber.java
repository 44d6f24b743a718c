package io.valentia.probes.mtu;

import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * Probes peers for the path MTU. Per peer and round it sends the configured sizes (smallest first);
 * a peer that does not answer the smallest is unreachable. When a larger size fails, it measures
 * each direction apart (UDP) and binary-searches between the largest passing and the smallest
 * failing size for the largest payload that passes, which plus the headers is the path MTU.
 *
 * <p>Requests to one peer are sent one at a time and at most {@link MtuProbeSettings#ratePerPeer()}
 * per second; at most {@link MtuProbeSettings#maxInFlight()} are outstanding over all peers.
 * Blocking: call {@link #round} from a worker or a dedicated thread. Thread-safe.
 */
public final class MtuMeshProber implements AutoCloseable {
  private final MtuProbeSettings settings;
  private final Function<MtuPeer, EchoTransport> transports;
  private final Semaphore inFlight;
  private final Map<MtuPeer, PeerRateLimit> rates = new ConcurrentHashMap<>();
  private final ExecutorService workers;

  /** A prober with the real transports: UDP for peers with a port, ICMP for the others. */
  public MtuMeshProber(MtuProbeSettings settings) {
    this(
        settings,
        peer ->
            peer.port() == 0
                ? new IcmpPingTransport(peer, settings.pingCommand())
                : new UdpEchoTransport(peer));
  }

  MtuMeshProber(MtuProbeSettings settings, Function<MtuPeer, EchoTransport> transports) {
    this.settings = settings;
    this.transports = transports;
    this.inFlight = new Semaphore(settings.maxInFlight(), true);
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            settings.maxInFlight(),
            r -> {
              Thread thread = new Thread(r, "mtu-prober-" + n.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Probes every peer (peers in parallel, within the in-flight cap) and reports on each. */
  public List<PeerReport> round(List<MtuPeer> peers) {
    List<Future<PeerReport>> running = new ArrayList<>();
    for (MtuPeer peer : peers) {
      running.add(workers.submit(() -> probe(peer)));
    }
    List<PeerReport> reports = new ArrayList<>();
    for (Future<PeerReport> report : running) {
      try {
        reports.add(report.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ValentiaException("interrupted while probing", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof ValentiaException v
            ? v
            : new ValentiaException("probing failed: " + e.getCause(), e.getCause());
      }
    }
    return reports;
  }

  /** Probes one peer. */
  public PeerReport probe(MtuPeer peer) {
    List<Integer> sizes = settings.sizes();
    int safe = sizes.get(0);
    EchoTransport transport;
    try {
      transport = transports.apply(peer);
    } catch (UnresolvedPeerException e) {
      MtuPing ping = new MtuPing(peer.display(), safe, false, null, "unknown", modeOf(peer));
      return new PeerReport(peer, List.of(ping), List.of(), true);
    }
    try (transport) {
      return probe(peer, transport, sizes);
    }
  }

  private PeerReport probe(MtuPeer peer, EchoTransport transport, List<Integer> sizes) {
    String name = peer.display();
    List<MtuPing> pings = new ArrayList<>();
    int safe = sizes.get(0);
    EchoResult first = attempt(peer, transport, safe, safe);
    if (!first.ok()) {
      pings.add(new MtuPing(name, safe, false, null, "unknown", transport.mode()));
      return new PeerReport(peer, pings, List.of(), true);
    }
    pings.add(ping(name, safe, first, transport));
    int largestPassing = safe;
    Integer smallestFailing = null;
    EchoResult failure = null;
    for (int size : sizes.subList(1, sizes.size())) {
      EchoResult result = attempt(peer, transport, size, size);
      pings.add(ping(name, size, result, transport));
      if (result.ok() && smallestFailing == null) {
        largestPassing = size;
      } else if (!result.ok() && smallestFailing == null) {
        smallestFailing = size;
        failure = result;
      }
    }
    if (smallestFailing == null) {
      return new PeerReport(peer, pings, List.of(), false);
    }
    return new PeerReport(
        peer, pings, mismatches(peer, transport, largestPassing, smallestFailing, failure), false);
  }

  private List<MtuMismatch> mismatches(
      MtuPeer peer, EchoTransport transport, int passing, int failing, EchoResult failure) {
    String name = peer.display();
    int headers = transport.headerBytes();
    if (!transport.separatesDirections()) {
      int[] bounds = search(passing, failing, size -> attempt(peer, transport, size, size).ok());
      return List.of(
          new MtuMismatch(
              name, bounds[0], bounds[1], bounds[0] + headers, failure.outcome().direction()));
    }
    int small = Math.max(transport.minimumBytes(), 64);
    boolean outFails = !attempt(peer, transport, failing, 0).ok();
    boolean inFails = !attempt(peer, transport, small, failing).ok();
    if (!outFails && !inFails) {
      // each way passes alone, together not: search the round trip
      int[] bounds = search(passing, failing, size -> attempt(peer, transport, size, size).ok());
      return List.of(new MtuMismatch(name, bounds[0], bounds[1], bounds[0] + headers, "unknown"));
    }
    int[] out =
        outFails ? search(passing, failing, s -> attempt(peer, transport, s, 0).ok()) : null;
    int[] in =
        inFails ? search(passing, failing, s -> attempt(peer, transport, small, s).ok()) : null;
    if (out != null && in != null && out[0] == in[0]) {
      return List.of(new MtuMismatch(name, out[0], out[1], out[0] + headers, "both"));
    }
    List<MtuMismatch> found = new ArrayList<>();
    if (out != null) {
      found.add(new MtuMismatch(name, out[0], out[1], out[0] + headers, "out"));
    }
    if (in != null) {
      found.add(new MtuMismatch(name, in[0], in[1], in[0] + headers, "in"));
    }
    return found;
  }

  /** The largest passing and smallest failing size between {@code passing} and {@code failing}. */
  static int[] search(int passing, int failing, IntPredicate passes) {
    int low = passing;
    int high = failing;
    while (high - low > 1) {
      int mid = (low + high) >>> 1;
      if (passes.test(mid)) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return new int[] {low, high};
  }

  private EchoResult attempt(MtuPeer peer, EchoTransport transport, int request, int reply) {
    EchoResult result = null;
    for (int i = 0; i < settings.attempts(); i++) {
      rates.computeIfAbsent(peer, p -> new PeerRateLimit(settings.ratePerPeer())).acquire();
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ValentiaException("interrupted while probing", e);
      }
      try {
        result = transport.echo(request, reply, settings.timeout());
      } finally {
        inFlight.release();
      }
      if (result.ok()) {
        return result;
      }
    }
    return result;
  }

  private static MtuPing ping(String peer, int size, EchoResult result, EchoTransport transport) {
    return new MtuPing(
        peer,
        size,
        result.ok(),
        result.rttMicros(),
        result.outcome().direction(),
        transport.mode());
  }

  private static String modeOf(MtuPeer peer) {
    return peer.port() == 0 ? "icmp" : "udp";
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }

  /** Spaces one peer's requests at least 1/rate seconds apart. */
  static final class PeerRateLimit {
    private final long intervalNanos;
    private long next = System.nanoTime();

    PeerRateLimit(double perSecond) {
      this.intervalNanos = (long) (1_000_000_000L / perSecond);
    }

    void acquire() {
      long wait;
      synchronized (this) {
        long now = System.nanoTime();
        next = Math.max(next, now);
        wait = next - now;
        next += intervalNanos;
      }
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ValentiaException("interrupted while probing", e);
        }
      }
    }
  }
}
