package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Substitution;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code network-latency}: a TCP or UDP proxy built into the injector (the Toxiproxy approach;
 * netem is not available everywhere). Clients connect (or send datagrams) to {@code listen}; the
 * proxy passes the traffic to {@code upstream} and back with what the arguments ask for: {@code
 * latency} plus a random {@code jitter} on every chunk or datagram, a {@code bandwidth} limit in
 * bytes per second per direction, for UDP a {@code loss} percentage, and for TCP connection resets
 * (an RST after {@code resetAfterBytes}, for each connection or with {@code resetProbability}).
 * Reverting closes the listener and everything proxied.
 */
final class LatencyProxy implements Fault {
  private static final Set<String> KNOWN =
      Set.of(
          "listen",
          "upstream",
          "protocol",
          "latency",
          "jitter",
          "bandwidth",
          "loss",
          "resetAfterBytes",
          "resetProbability",
          "duration");

  @Override
  public String name() {
    return "network-latency";
  }

  @Override
  public String summary() {
    return "delay, throttle, drop (UDP) or reset (TCP) traffic through a built-in proxy; args:"
        + " listen (host:port), upstream (host:port), protocol (tcp or udp), latency, jitter,"
        + " bandwidth (bytes/s), loss (percent, UDP), resetAfterBytes, resetProbability (TCP)";
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.onlyKnown(KNOWN);
    String listen = arguments.string("listen");
    String upstream = arguments.string("upstream");
    for (String address : List.of(listen, upstream)) {
      if (!address.isEmpty() && !Substitution.hasPlaceholder(address) && parse(address) == null) {
        arguments.problem("not host:port: " + address);
      }
    }
    effects(arguments);
    return List.of(new Target("host", upstream));
  }

  /** Reads the effects, recording every problem in {@code arguments}. */
  static ProxyEffects effects(Arguments arguments) {
    String protocol = arguments.optionalString("protocol", "tcp").toLowerCase(Locale.ROOT);
    boolean udp = protocol.equals("udp");
    if (!udp && !protocol.equals("tcp") && !Substitution.hasPlaceholder(protocol)) {
      arguments.problem("protocol: must be tcp or udp, found " + protocol);
    }
    long latency = arguments.optionalDuration("latency", Duration.ZERO).toMillis();
    long jitter = arguments.optionalDuration("jitter", Duration.ZERO).toMillis();
    long bandwidth = arguments.optionalInteger("bandwidth", 0);
    if (arguments.has("bandwidth") && bandwidth < 1) {
      arguments.problem("bandwidth: must be a positive number of bytes per second");
    }
    double loss = arguments.optionalNumber("loss", 0);
    if (loss < 0 || loss > 100) {
      arguments.problem("loss: must be a percentage from 0 to 100, found " + loss);
    }
    long resetAfter = arguments.optionalInteger("resetAfterBytes", 0);
    if (resetAfter < 0) {
      arguments.problem("resetAfterBytes: must be 0 or more, found " + resetAfter);
    }
    double resetProbability =
        arguments.optionalNumber("resetProbability", arguments.has("resetAfterBytes") ? 1 : 0);
    if (resetProbability < 0 || resetProbability > 1) {
      arguments.problem("resetProbability: must be from 0 to 1, found " + resetProbability);
    }
    if (udp && (arguments.has("resetAfterBytes") || arguments.has("resetProbability"))) {
      arguments.problem("resetAfterBytes, resetProbability: UDP has no connections to reset");
    }
    if (!udp && arguments.has("loss")) {
      arguments.problem(
          "loss: TCP retransmits what is lost; use protocol udp, or the network-loss fault");
    }
    if (KNOWN.stream()
        .filter(k -> !Set.of("listen", "upstream", "protocol", "duration").contains(k))
        .noneMatch(arguments::has)) {
      arguments.problem(
          "latency, jitter, bandwidth, loss, resetAfterBytes or resetProbability: give at least one");
    }
    return new ProxyEffects(latency, jitter, bandwidth, loss, resetAfter, resetProbability);
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    InetSocketAddress listen = parse(arguments.string("listen"));
    InetSocketAddress upstream = parse(arguments.string("upstream"));
    ProxyEffects effects = effects(arguments);
    boolean udp = arguments.optionalString("protocol", "tcp").equalsIgnoreCase("udp");
    AutoCloseable proxy =
        udp ? UdpProxy.start(listen, upstream, effects) : TcpProxy.start(listen, upstream, effects);
    return () -> {
      try {
        proxy.close();
      } catch (Exception e) {
        throw new FaultException(
            "could not stop the proxy on " + listen + ": " + e.getMessage(), e);
      }
    };
  }

  static InetSocketAddress parse(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port < 0 || port > 65535) {
        return null;
      }
      String host = address.substring(0, colon).replace("[", "").replace("]", "");
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (NumberFormatException | IOException e) {
      return null;
    }
  }
}
