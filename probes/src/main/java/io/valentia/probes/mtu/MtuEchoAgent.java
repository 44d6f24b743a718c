package io.valentia.probes.mtu;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP echo agent each host runs for the MTU mesh. For every request it first sends a small
 * receipt (so the prober can tell a lost request from a lost reply), then an echo of the size the
 * request asks for. It answers on its own daemon thread; closing it stops that thread. Datagrams
 * that are not the protocol's are counted and ignored.
 */
public final class MtuEchoAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MtuEchoAgent.class);

  private final DatagramSocket socket;
  private final Thread thread;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();

  private MtuEchoAgent(DatagramSocket socket) {
    this.socket = socket;
    this.thread = new Thread(this::answer, "mtu-echo-agent-" + socket.getLocalPort());
    this.thread.setDaemon(true);
  }

  /**
   * Binds {@code bind} and starts answering. Blocking (binds a socket): not on an event loop.
   *
   * @param bind the address and port to listen on; port 0 picks a free port
   * @throws ValentiaException when the port cannot be bound
   */
  public static MtuEchoAgent start(InetSocketAddress bind) {
    try {
      DatagramSocket socket = new DatagramSocket(bind);
      socket.setReceiveBufferSize(1 << 20);
      MtuEchoAgent agent = new MtuEchoAgent(socket);
      agent.thread.start();
      return agent;
    } catch (SocketException e) {
      throw new ValentiaException("cannot listen on UDP " + bind + ": " + e.getMessage(), e);
    }
  }

  /** The UDP port it listens on. */
  public int port() {
    return socket.getLocalPort();
  }

  /** The address it listens on, as {@code host:port}. */
  public String listening() {
    return socket.getLocalAddress().getHostAddress() + ":" + port();
  }

  /** Requests answered so far. */
  public long requests() {
    return requests.get();
  }

  /** Datagrams that were not requests of the protocol. */
  public long ignored() {
    return ignored.get();
  }

  private void answer() {
    byte[] buffer = new byte[EchoProtocol.MAX_BYTES + 1];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (!socket.isClosed()) {
      try {
        packet.setData(buffer);
        socket.receive(packet);
        Optional<EchoProtocol.Message> message =
            EchoProtocol.decode(packet.getData(), packet.getOffset(), packet.getLength());
        if (message.isEmpty() || message.get().kind() != EchoProtocol.Kind.REQUEST) {
          ignored.incrementAndGet();
          continue;
        }
        requests.incrementAndGet();
        long id = message.get().id();
        int replyBytes = message.get().value();
        socket.send(
            new DatagramPacket(
                EchoProtocol.receipt(id, packet.getLength()),
                EchoProtocol.HEADER_BYTES,
                packet.getSocketAddress()));
        if (replyBytes > 0) {
          byte[] echo = EchoProtocol.echo(id, replyBytes);
          socket.send(new DatagramPacket(echo, echo.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        if (!socket.isClosed()) {
          // a reply the kernel refuses to send (e.g. too large for the interface) is the probe's
          // finding, not the agent's failure: the prober sees the reply lost
          LOG.debug("echo agent could not answer: {}", e.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
