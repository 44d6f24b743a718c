package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LatencyProxyIT {

  @Test
  @DisplayName(
      "The latency proxy holds each message for the latency both ways and is gone after revert")
  void delaysTraffic() throws Exception {
    try (ServerSocket echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        FaultInjector injector =
            new FaultInjector(FaultCatalog.standard(), Runs.allowing("hosts").policy())) {
      Thread server =
          new Thread(
              () -> {
                try (Socket s = echo.accept();
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  // test over
                }
              });
      server.setDaemon(true);
      server.start();
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }

      injector.inject(
          "run",
          "network-latency",
          EventCodec.MAPPER.readTree(
              "{\"listen\": \"127.0.0.1:"
                  + port
                  + "\", \"upstream\": \"127.0.0.1:"
                  + echo.getLocalPort()
                  + "\", \"latency\": \"300ms\", \"duration\": \"30s\"}"));

      try (Socket client = new Socket("127.0.0.1", port)) {
        long start = System.nanoTime();
        client.getOutputStream().write("ping\n".getBytes());
        byte[] reply = client.getInputStream().readNBytes(5);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(new String(reply)).isEqualTo("ping\n");
        assertThat(millis).as("held 300 ms each way").isGreaterThanOrEqualTo(600);
      }
      injector.revertAll("test");
      // a process being spawned elsewhere in this JVM can hold a copy of the listening socket for
      // an instant after it is closed, so the check allows a moment for the port to fall silent
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .pollInterval(java.time.Duration.ofMillis(100))
          .alias("nothing listens on the proxy's port after revert")
          .until(() -> nothingListens(port));
    }
  }

  private static boolean nothingListens(int port) {
    try (Socket after = new Socket("127.0.0.1", port)) {
      // the port is an ephemeral one: with no listener, Linux may hand it to this very connect
      return after.getLocalPort() == port;
    } catch (IOException refused) {
      return true;
    }
  }
}
