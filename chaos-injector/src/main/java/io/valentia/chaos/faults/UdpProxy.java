package io.valentia.chaos.faults;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The UDP side of the built-in proxy: datagrams to {@code listen} go to {@code upstream} from a
 * socket of their own per client address, and the replies go back to that client, each way with the
 * {@link ProxyEffects}: dropped with the loss percentage, held for the latency and jitter (so
 * datagrams may be reordered, as on a real network) and sent no faster than the bandwidth. At most
 * {@value #MAX_CLIENTS} client addresses. {@link #close()} closes every socket.
 */
final class UdpProxy implements AutoCloseable {
  static final int MAX_CLIENTS = 1024;
  private static final int MAX_DATAGRAM = 65_535;

  private final DatagramSocket listen;
  private final InetSocketAddress upstream;
  private final ProxyEffects effects;
  private final Map<SocketAddress, DatagramSocket> clients = new ConcurrentHashMap<>();
  private final TokenBucket toUpstream;
  private final TokenBucket toClients;
  private final ScheduledExecutorService senders =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "valentia-udp-proxy-send");
            t.setDaemon(true);
            return t;
          });

  private UdpProxy(DatagramSocket listen, InetSocketAddress upstream, ProxyEffects effects) {
    this.listen = listen;
    this.upstream = upstream;
    this.effects = effects;
    this.toUpstream = effects.bucket();
    this.toClients = effects.bucket();
  }

  /** Binds {@code listen} and starts passing datagrams. */
  static UdpProxy start(InetSocketAddress listen, InetSocketAddress upstream, ProxyEffects effects)
      throws FaultException {
    DatagramSocket socket;
    try {
      socket = new DatagramSocket(null);
      socket.setReuseAddress(true);
      socket.bind(listen);
    } catch (IOException e) {
      throw new FaultException("cannot listen for UDP on " + listen + ": " + e.getMessage(), e);
    }
    UdpProxy proxy = new UdpProxy(socket, upstream, effects);
    Thread receiver =
        new Thread(proxy::receiveFromClients, "valentia-udp-proxy-" + listen.getPort());
    receiver.setDaemon(true);
    receiver.start();
    return proxy;
  }

  private void receiveFromClients() {
    byte[] buffer = new byte[MAX_DATAGRAM];
    while (!listen.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        listen.receive(packet);
        DatagramSocket out = socketFor(packet.getSocketAddress());
        if (out != null) {
          forward(Arrays.copyOf(packet.getData(), packet.getLength()), out, upstream, toUpstream);
        }
      } catch (IOException e) {
        // closed
      }
    }
  }

  /** The socket that speaks to upstream for one client; null when there are too many clients. */
  private DatagramSocket socketFor(SocketAddress client) {
    DatagramSocket existing = clients.get(client);
    if (existing != null || clients.size() >= MAX_CLIENTS) {
      return existing;
    }
    try {
      DatagramSocket socket = new DatagramSocket();
      clients.put(client, socket);
      Thread replies =
          new Thread(() -> receiveReplies(socket, client), "valentia-udp-proxy-replies");
      replies.setDaemon(true);
      replies.start();
      return socket;
    } catch (IOException e) {
      return null;
    }
  }

  private void receiveReplies(DatagramSocket socket, SocketAddress client) {
    byte[] buffer = new byte[MAX_DATAGRAM];
    while (!socket.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        if (packet.getSocketAddress().equals(upstream)) {
          forward(Arrays.copyOf(packet.getData(), packet.getLength()), listen, client, toClients);
        }
      } catch (IOException e) {
        // closed
      }
    }
  }

  /** Drops, delays and paces one datagram, then sends it from {@code via} to {@code to}. */
  private void forward(byte[] data, DatagramSocket via, SocketAddress to, TokenBucket bucket) {
    if (effects.lose()) {
      return;
    }
    long delayNanos =
        effects.delayMillis() * 1_000_000L + (bucket == null ? 0 : bucket.take(data.length));
    try {
      senders.schedule(
          () -> {
            try {
              via.send(new DatagramPacket(data, data.length, to));
            } catch (IOException e) {
              // closed, or the receiver is gone: a datagram lost like any other
            }
          },
          delayNanos,
          TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the proxy is closing
    }
  }

  @Override
  public void close() {
    listen.close();
    clients.values().forEach(DatagramSocket::close);
    senders.shutdownNow();
  }
}
