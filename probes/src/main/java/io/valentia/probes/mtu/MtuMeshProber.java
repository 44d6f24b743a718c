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
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Probes peers for the path MTU. Per peer and round it sends the safe size first; a peer that does
 * not answer it is unreachable. Then it tries the larger sizes, all at once. When one fails, it
 * measures each direction apart (UDP) and searches between the largest passing and the smallest
 * failing size for the largest payload that passes, which plus the headers is the path MTU.
 *
 * <p>A failing size costs a full timeout per attempt, so sizes whose answers do not depend on each
 * other are tried in parallel: the larger sizes, the two directions, and each step of the search,
 * which tries up to {@value #LANES} sizes spread over the remaining range at once ({@link
 * MtuSearch}: about four waits instead of thirteen between 1472 and 8972 bytes). Each parallel
 * request has a transport (a socket) of its own, since an echo transport carries one request at a
 * time. Requests to one peer are still spaced to at most {@link MtuProbeSettings#ratePerPeer()} per
 * second, and at most {@link MtuProbeSettings#maxInFlight()} are outstanding over all peers.
 * Blocking: call {@link #round} from a worker or a dedicated thread. Thread-safe.
 */
public final class MtuMeshProber implements AutoCloseable {
  private final MtuProbeSettings settings;
  private final Function<MtuPeer, EchoTransport> transports;
  private final Semaphore inFlight;
  private final Map<MtuPeer, PeerRateLimit> rates = new ConcurrentHashMap<>();
  private final ExecutorService workers;
  private final ExecutorService lanes;
  private final int laneCount;
  private final Consumer<String> progress;

  /** At most this many requests to one peer wait at once during a search. */
  static final int LANES = 8;

  /** A prober with the real transports: UDP for peers with a port, ICMP for the others. */
  public MtuMeshProber(MtuProbeSettings settings) {
    this(settings, line -> {});
  }

  /**
   * A prober with the real transports that tells what it is doing as it goes.
   *
   * @param progress gets one line per step (a size failed, a search narrowed, a peer done), from
   *     the probing threads; it must be thread-safe and quick
   */
  public MtuMeshProber(MtuProbeSettings settings, Consumer<String> progress) {
    this(
        settings,
        peer ->
            peer.port() == 0
                ? new IcmpPingTransport(peer, settings.pingCommand())
                : new UdpEchoTransport(peer),
        progress);
  }

  MtuMeshProber(MtuProbeSettings settings, Function<MtuPeer, EchoTransport> transports) {
    this(settings, transports, line -> {});
  }

  MtuMeshProber(
      MtuProbeSettings settings,
      Function<MtuPeer, EchoTransport> transports,
      Consumer<String> progress) {
    this.settings = settings;
    this.transports = transports;
    this.progress = progress;
    this.laneCount = Math.max(1, Math.min(LANES, settings.maxInFlight()));
    AtomicInteger lane = new AtomicInteger();
    this.lanes =
        Executors.newCachedThreadPool(
            r -> {
              Thread thread = new Thread(r, "mtu-lane-" + lane.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
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
    try (Lanes peerLanes = new Lanes(peer, transport)) {
      PeerReport report = probe(peer, peerLanes, sizes);
      progress.accept(
          peer.display()
              + ": done"
              + (report.unreachable()
                  ? ", unreachable"
                  : report.mismatches().isEmpty()
                      ? ", every size passes"
                      : ", path MTU "
                          + report.mismatches().stream()
                              .map(m -> m.estimatedPathMtu() + " (" + m.direction() + ")")
                              .toList()));
      return report;
    }
  }

  private PeerReport probe(MtuPeer peer, Lanes lanes, List<Integer> sizes) {
    String name = peer.display();
    EchoTransport transport = lanes.first;
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
    List<Integer> larger = sizes.subList(1, sizes.size());
    List<EchoResult> results =
        lanes.attemptAll(larger.stream().map(n -> new int[] {n, n}).toList());
    for (int i = 0; i < larger.size(); i++) {
      int size = larger.get(i);
      EchoResult result = results.get(i);
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
    progress.accept(
        name
            + ": "
            + smallestFailing
            + " bytes failed ("
            + failure.outcome().direction()
            + "), "
            + largestPassing
            + " passed: searching between them");
    return new PeerReport(
        peer, pings, mismatches(peer, lanes, largestPassing, smallestFailing, failure), false);
  }

  private List<MtuMismatch> mismatches(
      MtuPeer peer, Lanes lanes, int passing, int failing, EchoResult failure) {
    String name = peer.display();
    EchoTransport transport = lanes.first;
    int headers = transport.headerBytes();
    if (!transport.separatesDirections()) {
      int[] bounds = search(name, "round trip", passing, failing, lanes, s -> new int[] {s, s});
      return List.of(
          new MtuMismatch(
              name, bounds[0], bounds[1], bounds[0] + headers, failure.outcome().direction()));
    }
    int small = Math.max(transport.minimumBytes(), 64);
    List<EchoResult> ways =
        lanes.attemptAll(List.of(new int[] {failing, 0}, new int[] {small, failing}));
    boolean outFails = !ways.get(0).ok();
    boolean inFails = !ways.get(1).ok();
    if (!outFails && !inFails) {
      // each way passes alone, together not: search the round trip
      int[] bounds = search(name, "round trip", passing, failing, lanes, s -> new int[] {s, s});
      return List.of(new MtuMismatch(name, bounds[0], bounds[1], bounds[0] + headers, "unknown"));
    }
    Future<int[]> outSearch =
        outFails
            ? this.lanes.submit(
                () -> search(name, "out", passing, failing, lanes, s -> new int[] {s, 0}))
            : null;
    int[] in =
        inFails ? search(name, "in", passing, failing, lanes, s -> new int[] {small, s}) : null;
    int[] out = outSearch == null ? null : await(outSearch);
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

  private int[] search(
      String name,
      String direction,
      int passing,
      int failing,
      Lanes lanes,
      java.util.function.IntFunction<int[]> request) {
    return MtuSearch.search(
        passing,
        failing,
        laneCount,
        sizes ->
            lanes.attemptAll(sizes.stream().map(request::apply).toList()).stream()
                .map(EchoResult::ok)
                .toList(),
        (low, high) ->
            progress.accept(
                name
                    + " "
                    + direction
                    + ": "
                    + low
                    + " bytes pass, "
                    + high
                    + (high - low > 1 ? " fail: searching on" : " fail")));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ValentiaException("interrupted while probing", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof ValentiaException v
          ? v
          : new ValentiaException("probing failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * The transports of one peer's probe: the first, and more made on demand so that parallel
   * requests each have one of their own. Closes them all.
   */
  private final class Lanes implements AutoCloseable {
    final MtuPeer peer;
    final EchoTransport first;
    private final java.util.concurrent.BlockingQueue<EchoTransport> idle =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private final List<EchoTransport> made = new java.util.concurrent.CopyOnWriteArrayList<>();

    Lanes(MtuPeer peer, EchoTransport first) {
      this.peer = peer;
      this.first = first;
      idle.add(first);
    }

    /**
     * Sends each {request, reply} pair on a transport of its own, all at once; results in order.
     */
    List<EchoResult> attemptAll(List<int[]> requests) {
      if (requests.size() == 1) {
        return List.of(attemptOnLane(requests.get(0)));
      }
      List<Future<EchoResult>> running = new ArrayList<>();
      for (int[] request : requests) {
        running.add(lanes.submit(() -> attemptOnLane(request)));
      }
      List<EchoResult> results = new ArrayList<>();
      for (Future<EchoResult> result : running) {
        results.add(await(result));
      }
      return results;
    }

    private EchoResult attemptOnLane(int[] request) {
      EchoTransport transport = idle.poll();
      if (transport == null) {
        transport = transports.apply(peer);
        if (transport != first) {
          made.add(transport);
        }
      }
      try {
        return attempt(peer, transport, request[0], request[1]);
      } finally {
        idle.add(transport);
      }
    }

    @Override
    public void close() {
      for (EchoTransport transport : made) {
        transport.close();
      }
      first.close();
    }
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
    lanes.shutdownNow();
  }
}
