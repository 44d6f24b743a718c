package io.valentia.probes.mtu;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Echo requests to a peer's {@link MtuEchoAgent} over UDP. The agent's receipt tells a lost request
 * from a lost reply. Java cannot set the don't-fragment bit; Linux sets it on datagrams that fit
 * the local interface and fragments larger ones, so a request larger than this host's MTU may pass
 * in fragments: the reply direction (sized apart from the request) is measured without that.
 */
public final class UdpEchoTransport implements EchoTransport {
  private final InetSocketAddress target;
  private final DatagramSocket socket;
  private final byte[] buffer = new byte[EchoProtocol.MAX_BYTES + 1];

  /**
   * Opens a socket to {@code peer}. Blocking (resolves the name).
   *
   * @throws UnresolvedPeerException when the name does not resolve
   * @throws ValentiaException when no socket can be opened
   */
  public UdpEchoTransport(MtuPeer peer) {
    try {
      this.target = new InetSocketAddress(InetAddress.getByName(peer.host()), peer.port());
      this.socket = new DatagramSocket();
      this.socket.setReceiveBufferSize(1 << 20);
    } catch (UnknownHostException e) {
      throw new UnresolvedPeerException(peer.host(), e);
    } catch (IOException e) {
      throw new ValentiaException("cannot open a UDP socket: " + e.getMessage(), e);
    }
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
    return EchoProtocol.HEADER_BYTES;
  }

  @Override
  public int headerBytes() {
    return target.getAddress() instanceof Inet6Address ? 48 : 28;
  }

  @Override
  public EchoResult echo(int requestBytes, int replyBytes, Duration timeout) {
    long id = ThreadLocalRandom.current().nextLong();
    byte[] request = EchoProtocol.request(id, requestBytes, replyBytes);
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    try {
      socket.send(new DatagramPacket(request, request.length, target));
    } catch (IOException e) {
      // the kernel refused it (no route, too large for the interface): it never left
      return EchoResult.lost(EchoResult.Outcome.REQUEST_LOST);
    }
    boolean receipt = false;
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return EchoResult.lost(
            receipt ? EchoResult.Outcome.REPLY_LOST : EchoResult.Outcome.REQUEST_LOST);
      }
      try {
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        packet.setData(buffer);
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        // e.g. ICMP port unreachable reported on the socket: nothing will answer
        return EchoResult.lost(
            receipt ? EchoResult.Outcome.REPLY_LOST : EchoResult.Outcome.REQUEST_LOST);
      }
      Optional<EchoProtocol.Message> message =
          EchoProtocol.decode(packet.getData(), packet.getOffset(), packet.getLength());
      if (message.isEmpty() || message.get().id() != id) {
        continue; // a late answer to an earlier request
      }
      long rtt = (System.nanoTime() - start) / 1_000;
      switch (message.get().kind()) {
        case RECEIPT -> {
          receipt = true;
          if (replyBytes <= 0) {
            return EchoResult.ok(rtt);
          }
        }
        case ECHO -> {
          return EchoResult.ok(rtt);
        }
        default -> {}
      }
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
