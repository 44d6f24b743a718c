package io.valentia.web;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.health.HealthReport;
import io.valentia.eventbus.health.KafkaStatus;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.web.auth.AdminToken;
import io.valentia.web.stream.EventStreams;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Raw sockets against servers with short timeouts, one timeout under test at a time. */
@DisplayName("Idle and header-read timeouts close idle and slow connections, not live streams")
class ConnectionTimeoutsIT {
  private static final Duration IDLE = Duration.ofSeconds(4);
  private static final Duration LONG = Duration.ofHours(1);

  private static Vertx vertx;
  private static WebVerticle idleOnly;
  private static WebVerticle headersOnly;
  private static WebVerticle streaming;
  private static EventStreams streams;

  @BeforeAll
  static void start() throws Exception {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    idleOnly = deploy(IDLE, LONG, WebVerticle.Gateway.NONE);
    headersOnly = deploy(LONG, Duration.ofSeconds(1), WebVerticle.Gateway.NONE);
    streams =
        new EventStreams(
            KafkaTestSupport.settings(),
            WebService.heartbeatWithin(EventStreams.Limits.DEFAULT, IDLE));
    streaming =
        deploy(IDLE, Duration.ofSeconds(1), new WebVerticle.Gateway(null, null, null, streams));
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, SECONDS);
    }
  }

  @Test
  @DisplayName("A connection that sends nothing is closed by the server after the idle timeout.")
  void silentConnectionIsClosed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", idleOnly.actualPort())) {
      socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());

      assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    }
  }

  @Test
  @DisplayName(
      "A connection that trickles a request's headers, a line every 300 ms so it is never idle, is"
          + " closed when the header-read timeout passes.")
  void slowHeadersAreCutOff() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", headersOnly.actualPort())) {
      socket.setSoTimeout(50);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> closedAfterWriting(out, in, "X-Slow: 1\r\n"));
    }
  }

  @Test
  @DisplayName(
      "A live stream on which no event comes stays open for well over the idle timeout, kept"
          + " alive by heartbeat comments.")
  void liveStreamOutlivesTheIdleTimeout() throws Exception {
    String filter =
        URLEncoder.encode("subject == 'nothing-" + UUID.randomUUID() + "'", StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", streaming.actualPort())) {
      socket.setSoTimeout((int) IDLE.multipliedBy(3).toMillis());
      socket
          .getOutputStream()
          .write(
              ("GET /api/v1/events/stream?filter="
                      + filter
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + TestTokens.ADMIN
                      + "\r\nAccept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertThat(lines.readLine()).startsWith("HTTP/1.1 200");

      long until = System.nanoTime() + IDLE.multipliedBy(3).toNanos();
      int heartbeats = 0;
      while (System.nanoTime() < until) {
        String line = lines.readLine();
        assertThat(line).as("the stream ended after %d heartbeats", heartbeats).isNotNull();
        if (line.startsWith(": heartbeat")) {
          heartbeats++;
        }
      }
      assertThat(heartbeats).isGreaterThanOrEqualTo(3);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Writes {@code text}; whether the server had closed the connection. */
  private static boolean closedAfterWriting(OutputStream out, InputStream in, String text) {
    try {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      return true;
    }
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static WebVerticle deploy(Duration idle, Duration headers, WebVerticle.Gateway gateway)
      throws Exception {
    WebConfig config =
        WebConfig.of(
            EventCodec.MAPPER.readTree(
                "{\"host\": \"127.0.0.1\", \"port\": 0, \"idle-timeout\": \""
                    + idle.toSeconds()
                    + "s\", \"header-timeout\": \""
                    + headers.toMillis()
                    + "ms\"}"));
    WebVerticle web =
        new WebVerticle(
            config,
            () ->
                Future.succeededFuture(
                    HealthReport.of(
                        Map.of(), Map.of(), new KafkaStatus("k", true, true, Map.of()))),
            AdminToken.configured(TestTokens.ADMIN),
            new ApiRoutes(),
            gateway);
    vertx.deployVerticle(web).toCompletionStage().toCompletableFuture().get(30, SECONDS);
    return web;
  }
}
