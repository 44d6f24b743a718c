package io.valentia.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The command-line client against a small real HTTP server. */
@DisplayName("A command's platform client")
class PlatformClientTest {
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private String base;
  private volatile int status = 200;
  private volatile String answer = "{\"ok\":true}";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requests.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + exchange.getRequestHeaders().getFirst("Content-Type")
                  + " "
                  + body);
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
          }
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  @DisplayName(
      "It sends the method, the path with its query, the token as a bearer token and the JSON"
          + " body once, and reads the JSON answer.")
  void sends() {
    PlatformClient.Answer got =
        new PlatformClient(base + "/", "tok").send("POST", "/api/v1/x?a=b", "{\"n\":1}");

    assertThat(requests)
        .containsExactly("POST /api/v1/x?a=b Bearer tok application/json {\"n\":1}");
    assertThat(got.ok()).isTrue();
    assertThat(got.address()).isEqualTo(base + "/api/v1/x?a=b");
    assertThat(got.body().path("ok").asBoolean()).isTrue();
  }

  @Test
  @DisplayName("Without a token, or anonymous, it sends no Authorization header.")
  void anonymous() {
    new PlatformClient(base, null).get("/a");
    new PlatformClient(base, "tok").anonymous().get("/b");

    assertThat(requests).containsExactly("GET /a null null ", "GET /b null null ");
  }

  @Test
  @DisplayName(
      "A refusal names the status and the API's error; a 401 also says how to give a token.")
  void refused() {
    status = 401;
    answer = "{\"error\":\"bad token\"}";
    PlatformClient.Answer got = new PlatformClient(base, "wrong").get("/api/v1/x");

    assertThat(got.ok()).isFalse();
    assertThatThrownBy(got::orThrow)
        .isInstanceOf(PlatformClient.Refused.class)
        .hasMessage(
            "the platform refused (401): bad token (give a valid API token with --token or"
                + " VALENTIA_TOKEN)");
  }

  @Test
  @DisplayName(
      "An answer that is not JSON is an error naming the address and status, and is its own"
          + " error text; an empty answer is no JSON at all.")
  void notJson() {
    status = 502;
    answer = "<html>bad gateway</html>";
    PlatformClient.Answer got = new PlatformClient(base, null).get("/api/v1/x");

    assertThatThrownBy(got::body).hasMessage(base + "/api/v1/x answered 502 without JSON");
    assertThat(got.error()).isEqualTo("<html>bad gateway</html>");
    assertThatThrownBy(got::orThrow)
        .hasMessage("the platform refused (502): <html>bad gateway</html>");

    status = 204;
    answer = "";
    assertThat(new PlatformClient(base, null).get("/api/v1/y").body().isMissingNode()).isTrue();
  }

  @Test
  @DisplayName(
      "When nothing listens it says no platform answers at the address, and how to set it.")
  void nothingListens() {
    PlatformClient client = new PlatformClient("http://127.0.0.1:1", null);

    assertThatThrownBy(() -> client.get("/health"))
        .isInstanceOfSatisfying(
            PlatformClient.Unreachable.class, e -> assertThat(e.timedOut()).isFalse())
        .hasMessageStartingWith("no platform answers at http://127.0.0.1:1/health (")
        .hasMessageEndingWith("is it up? Set --url or VALENTIA_URL");
  }

  @Test
  @DisplayName("A platform that takes the connection but never answers is unreachable, timed out.")
  void silent() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      PlatformClient client =
          new PlatformClient("http://127.0.0.1:" + silent.getLocalPort(), "tok")
              .timeouts(Duration.ofMillis(300), Duration.ofMillis(300));

      assertThatThrownBy(() -> client.send("POST", "/api/v1/halt", "{}"))
          .isInstanceOfSatisfying(
              PlatformClient.Unreachable.class, e -> assertThat(e.timedOut()).isTrue());
    }
  }

  @Test
  @DisplayName("Only absolute http and https addresses with a host are addresses of a platform.")
  void addresses() {
    assertThat(PlatformClient.isHttpAddress("http://127.0.0.1:8080")).isTrue();
    assertThat(PlatformClient.isHttpAddress("HTTPS://platform.example")).isTrue();
    assertThat(PlatformClient.isHttpAddress("not a url")).isFalse();
    assertThat(PlatformClient.isHttpAddress("127.0.0.1:8080")).isFalse();
    assertThat(PlatformClient.isHttpAddress("ftp://host")).isFalse();
  }
}
