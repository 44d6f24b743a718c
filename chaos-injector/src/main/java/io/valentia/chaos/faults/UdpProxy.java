package io.valentia.chaos.faults;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The UDP side of the built-in proxy: datagrams to {@code listen} go to {@code upstream} from a
 * socket of their own per client address, and the replies go back to that client, each way with the
 * {@link ProxyEffects}: dropped with the loss percentage, held for the latency and jitter (so
 * datagrams may be reordered, as on a real network) and sent no faster than the bandwidth. At most
 * {@value #MAX_CLIENTS} client addresses. Runs on Vert.x {@link DatagramSocket}s of its own {@link
 * ProxyRuntime} (one event loop thread). {@link #close()} closes every socket.
 */
final class UdpProxy implements AutoCloseable {
  static final int MAX_CLIENTS = 1024;

  /**
   * The receive buffer of each socket, which Vert.x also reads each datagram into: the largest
   * datagram (64 KiB) fits whole, and the kernel holds a burst as with its default buffer.
   */
  private static final int RECEIVE_BUFFER = 256 * 1024;

  private final ProxyRuntime runtime;
  private final DatagramSocket listen;
  private final InetSocketAddress upstream;
  private final String upstreamHost;
  private final ProxyEffects effects;
  private final Map<SocketAddress, Future<DatagramSocket>> clients =
      new HashMap<>(); // touched on the event loop only
  private final TokenBucket toUpstream;
  private final TokenBucket toClients;

  private UdpProxy(
      ProxyRuntime runtime,
      DatagramSocket listen,
      InetSocketAddress upstream,
      ProxyEffects effects) {
    this.runtime = runtime;
    this.listen = listen;
    this.upstream = upstream;
    this.upstreamHost = upstream.getAddress().getHostAddress();
    this.effects = effects;
    this.toUpstream = effects.bucket();
    this.toClients = effects.bucket();
  }

  /** Binds {@code listen} and starts passing datagrams. */
  static UdpProxy start(InetSocketAddress listen, InetSocketAddress upstream, ProxyEffects effects)
      throws FaultException {
    ProxyRuntime runtime = ProxyRuntime.start();
    DatagramSocket socket =
        runtime.vertx().createDatagramSocket(options(listen).setReuseAddress(true));
    UdpProxy proxy = new UdpProxy(runtime, socket, upstream, effects);
    socket.exceptionHandler(e -> {}); // a datagram that could not be read: lost like any other
    socket.handler(proxy::fromClient);
    try {
      runtime.await(socket.listen(listen.getPort(), listen.getAddress().getHostAddress()));
    } catch (Exception e) {
      runtime.close();
      throw new FaultException("cannot listen for UDP on " + listen + ": " + e.getMessage(), e);
    }
    return proxy;
  }

  private static DatagramSocketOptions options(InetSocketAddress address) {
    return new DatagramSocketOptions()
        .setIpV6(address.getAddress() instanceof Inet6Address)
        .setReceiveBufferSize(RECEIVE_BUFFER);
  }

  private void fromClient(DatagramPacket packet) {
    Future<DatagramSocket> out = socketFor(packet.sender());
    if (out != null) {
      Buffer data = packet.data();
      out.onSuccess(socket -> forward(data, socket, upstream.getPort(), upstreamHost, toUpstream));
    }
  }

  /** The socket that speaks to upstream for one client; null when there are too many clients. */
  private Future<DatagramSocket> socketFor(SocketAddress client) {
    Future<DatagramSocket> existing = clients.get(client);
    if (existing != null || clients.size() >= MAX_CLIENTS) {
      return existing;
    }
    DatagramSocket socket = runtime.vertx().createDatagramSocket(options(upstream));
    socket.exceptionHandler(e -> {});
    socket.handler(
        reply -> {
          SocketAddress from = reply.sender();
          if (from.port() == upstream.getPort() && upstreamHost.equals(from.hostAddress())) {
            forward(reply.data(), listen, client.port(), client.hostAddress(), toClients);
          }
        });
    Future<DatagramSocket> bound =
        socket.listen(0, upstream.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0");
    clients.put(client, bound);
    return bound;
  }

  /** Drops, delays and paces one datagram, then sends it from {@code via} to {@code host:port}. */
  private void forward(Buffer data, DatagramSocket via, int port, String host, TokenBucket bucket) {
    if (effects.lose()) {
      return;
    }
    long delayNanos =
        effects.delayMillis() * 1_000_000L + (bucket == null ? 0 : bucket.take(data.length()));
    // a failed send (closed, or the receiver is gone) is a datagram lost like any other
    runtime.after(delayNanos, () -> via.send(data, port, host));
  }

  /** Closes every socket (and so every datagram still held); waits until they are. */
  @Override
  public void close() {
    runtime.close();
  }
}
