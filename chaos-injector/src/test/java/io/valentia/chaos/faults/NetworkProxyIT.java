package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The built-in proxy's UDP, bandwidth and reset effects, with real sockets on loopback. */
class NetworkProxyIT {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static FaultInjector injector() {
    return new FaultInjector(FaultCatalog.standard(), Runs.allowing("hosts").policy());
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, LOOPBACK)) {
      return free.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket free = new DatagramSocket(0, LOOPBACK)) {
      return free.getLocalPort();
    }
  }

  private static ObjectNode proxy(int listen, int upstream) {
    return EventCodec.MAPPER
        .createObjectNode()
        .put("listen", "127.0.0.1:" + listen)
        .put("upstream", "127.0.0.1:" + upstream)
        .put("duration", "1m");
  }

  /** A UDP server that sends every datagram back. */
  private static DatagramSocket udpEcho() throws IOException {
    return udpEcho(2048);
  }

  /** A UDP server that sends back every datagram of up to {@code bufferSize} bytes. */
  private static DatagramSocket udpEcho(int bufferSize) throws IOException {
    DatagramSocket echo = new DatagramSocket(0, LOOPBACK);
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[bufferSize];
              while (!echo.isClosed()) {
                try {
                  DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                  echo.receive(p);
                  echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                  // closed
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return echo;
  }

  /** A TCP server that echoes each connection, or counts its bytes and answers the count. */
  private static ServerSocket tcpServer(boolean count) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  Thread c =
                      new Thread(
                          () -> {
                            try (s;
                                InputStream in = s.getInputStream();
                                OutputStream out = s.getOutputStream()) {
                              if (count) {
                                long n = in.transferTo(OutputStream.nullOutputStream());
                                out.write((n + "\n").getBytes(StandardCharsets.UTF_8));
                              } else {
                                in.transferTo(out);
                              }
                            } catch (IOException e) {
                              // reset or closed
                            }
                          });
                  c.setDaemon(true);
                  c.start();
                } catch (IOException e) {
                  // closed
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return server;
  }

  @Test
  @DisplayName(
      "UDP datagrams through the proxy are held for the latency both ways, and none pass after revert")
  void delaysDatagrams() throws Exception {
    int port = freeUdpPort();
    try (DatagramSocket echo = udpEcho();
        DatagramSocket client = new DatagramSocket(0, LOOPBACK);
        FaultInjector injector = injector()) {
      injector.inject(
          "run",
          "network-latency",
          proxy(port, echo.getLocalPort()).put("protocol", "udp").put("latency", "250ms"));
      client.setSoTimeout(5000);

      byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
      long start = System.nanoTime();
      client.send(new DatagramPacket(ping, ping.length, LOOPBACK, port));
      DatagramPacket reply = new DatagramPacket(new byte[64], 64);
      client.receive(reply);
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8))
          .isEqualTo("ping");
      assertThat(millis).as("held 250 ms each way").isBetween(500L, 4000L);

      injector.revertAll("test");
      client.setSoTimeout(1000);
      client.send(new DatagramPacket(ping, ping.length, LOOPBACK, port));
      assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[64], 64)))
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  @DisplayName(
      "With 50 % loss each way, about a quarter of 200 UDP round trips come back (between 10 % and 45 %)")
  void losesDatagrams() throws Exception {
    int port = freeUdpPort();
    try (DatagramSocket echo = udpEcho();
        DatagramSocket client = new DatagramSocket(0, LOOPBACK);
        FaultInjector injector = injector()) {
      injector.inject(
          "run",
          "network-latency",
          proxy(port, echo.getLocalPort()).put("protocol", "udp").put("loss", 50));
      for (int i = 0; i < 200; i++) {
        byte[] data = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(data, data.length, LOOPBACK, port));
      }
      client.setSoTimeout(1000);
      int received = 0;
      try {
        while (true) {
          client.receive(new DatagramPacket(new byte[64], 64));
          received++;
        }
      } catch (SocketTimeoutException e) {
        // all that will come has come
      }
      assertThat(received).isBetween(20, 90);
    }
  }

  @Test
  @DisplayName(
      "A bandwidth limit of 200 kB/s holds a 400 kB upload to that rate (measured between 60 and 220 kB/s)")
  void limitsBandwidth() throws Exception {
    int port = freeTcpPort();
    try (ServerSocket counter = tcpServer(true);
        FaultInjector injector = injector()) {
      injector.inject(
          "run", "network-latency", proxy(port, counter.getLocalPort()).put("bandwidth", 200_000));
      byte[] payload = new byte[400_000];
      try (Socket client = new Socket(LOOPBACK, port)) {
        long start = System.nanoTime();
        client.getOutputStream().write(payload);
        client.shutdownOutput();
        String answer =
            new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(answer).isEqualTo("400000");
        assertThat(payload.length / seconds).as("bytes per second").isBetween(60_000.0, 220_000.0);
      }
    }
  }

  @Test
  @DisplayName(
      "resetAfterBytes resets each connection once that many bytes passed: the client sees Connection reset")
  void resetsAfterBytes() throws Exception {
    int port = freeTcpPort();
    try (ServerSocket echo = tcpServer(false);
        FaultInjector injector = injector()) {
      injector.inject(
          "run", "network-latency", proxy(port, echo.getLocalPort()).put("resetAfterBytes", 1000));
      try (Socket client = new Socket(LOOPBACK, port)) {
        client.setSoTimeout(10_000);
        assertThatThrownBy(
                () -> {
                  client.getOutputStream().write(new byte[5000]);
                  client.getInputStream().readNBytes(5000);
                })
            .isInstanceOf(SocketException.class)
            .hasMessageContaining("Connection reset");
      }
    }
  }

  @Test
  @DisplayName(
      "resetProbability 0.5 resets about half of 40 connections at once (between 8 and 32), the rest work")
  void resetsSomeConnections() throws Exception {
    int port = freeTcpPort();
    try (ServerSocket echo = tcpServer(false);
        FaultInjector injector = injector()) {
      injector.inject(
          "run", "network-latency", proxy(port, echo.getLocalPort()).put("resetProbability", 0.5));
      int resets = 0;
      int worked = 0;
      for (int i = 0; i < 40; i++) {
        try (Socket client = new Socket(LOOPBACK, port)) {
          client.setSoTimeout(10_000);
          client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
          if (new String(client.getInputStream().readNBytes(5), StandardCharsets.UTF_8)
              .equals("hello")) {
            worked++;
          }
        } catch (SocketException e) {
          assertThat(e.getMessage()).containsAnyOf("Connection reset", "Broken pipe");
          resets++;
        }
      }
      assertThat(resets).isBetween(8, 32);
      assertThat(resets + worked).isEqualTo(40);
    }
  }

  @Test
  @DisplayName(
      "1 MB echoed through 20 ms of latency comes back whole and in order, and a server that speaks first is heard")
  void passesEverythingInOrder() throws Exception {
    int port = freeTcpPort();
    try (ServerSocket greeter = new ServerSocket(0, 50, LOOPBACK);
        FaultInjector injector = injector()) {
      Thread server =
          new Thread(
              () -> {
                try (Socket s = greeter.accept();
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream()) {
                  out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                  in.transferTo(out);
                } catch (IOException e) {
                  // test over
                }
              });
      server.setDaemon(true);
      server.start();
      injector.inject(
          "run", "network-latency", proxy(port, greeter.getLocalPort()).put("latency", "20ms"));
      byte[] payload = new byte[1_000_000];
      new java.util.Random(7).nextBytes(payload);
      try (Socket client = new Socket(LOOPBACK, port)) {
        client.setSoTimeout(20_000);
        assertThat(new String(client.getInputStream().readNBytes(6), StandardCharsets.UTF_8))
            .isEqualTo("hello\n");
        Thread writer =
            new Thread(
                () -> {
                  try {
                    client.getOutputStream().write(payload);
                    client.shutdownOutput();
                  } catch (IOException e) {
                    // the read below fails then
                  }
                });
        writer.setDaemon(true);
        writer.start();
        assertThat(client.getInputStream().readAllBytes()).isEqualTo(payload);
      }
    }
  }

  @Test
  @DisplayName("Reverting the proxy ends the connections in progress: their clients read the end")
  void revertEndsConnections() throws Exception {
    int port = freeTcpPort();
    try (ServerSocket echo = tcpServer(false);
        FaultInjector injector = injector()) {
      injector.inject(
          "run", "network-latency", proxy(port, echo.getLocalPort()).put("latency", "10ms"));
      try (Socket client = new Socket(LOOPBACK, port)) {
        client.setSoTimeout(10_000);
        client.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
        assertThat(client.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());

        injector.revertAll("test");

        assertThat(client.getInputStream().read()).isEqualTo(-1);
      }
    }
  }

  @Test
  @DisplayName("A UDP datagram of 60 kB passes the proxy whole, both ways")
  void passesLargeDatagrams() throws Exception {
    int port = freeUdpPort();
    try (DatagramSocket echo = udpEcho(65_535);
        DatagramSocket client = new DatagramSocket(0, LOOPBACK);
        FaultInjector injector = injector()) {
      injector.inject(
          "run",
          "network-latency",
          proxy(port, echo.getLocalPort()).put("protocol", "udp").put("latency", "10ms"));
      byte[] data = new byte[60_000];
      new java.util.Random(3).nextBytes(data);
      client.setSoTimeout(5000);
      client.send(new DatagramPacket(data, data.length, LOOPBACK, port));
      DatagramPacket reply = new DatagramPacket(new byte[65_535], 65_535);
      client.receive(reply);
      assertThat(java.util.Arrays.copyOf(reply.getData(), reply.getLength())).isEqualTo(data);
    }
  }
}
