package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code valentia lease} against a small real HTTP server standing in for the lease API. */
@DisplayName("valentia lease")
class LeaseCommandTest {
  private static final String LEASE =
      "{\"id\":\"L1\",\"resource\":\"hmd-0\",\"lessee\":{\"name\":\"game\",\"pid\":42},"
          + "\"expiresAt\":\"2026-12-07T12:00:05Z\"}";

  private final List<String> requests = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private String url;
  private volatile int status = 200;
  private volatile String answer = LEASE;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/leases",
        exchange -> {
          requests.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    CommandLine cli = new CommandLine(new LeaseCommand());
    cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? 2 : 1);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          command.getErr().println(e.getMessage());
          return 1;
        });
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  @Test
  @DisplayName("grant posts the lease with the token and prints what was granted.")
  void grant() {
    Run run =
        run("grant", "hmd-0", "--name", "game", "--pid", "42", "--url", url, "--token", "tok");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0))
        .startsWith("POST /api/v1/leases Bearer tok {")
        .contains("\"resource\":\"hmd-0\"", "\"termMs\":5000");
    assertThat(run.out())
        .isEqualTo("granted L1  hmd-0  game (pid 42)  expires 2026-12-07T12:00:05Z\n");
  }

  @Test
  @DisplayName("revoke with --json prints the API's answer as JSON.")
  void revokeJson() {
    Run run = run("revoke", "L/1", "--json", "--url", url + "/", "--token", "tok2");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(requests.get(0)).startsWith("DELETE /api/v1/leases/L%2F1 Bearer tok2");
    assertThat(run.out().trim()).isEqualTo(LEASE);
  }

  @Test
  @DisplayName("A refusal exits 1 naming the status and the API's error.")
  void refused() {
    status = 409;
    answer = "{\"error\":\"hmd-0 is held by L0\"}";

    Run run = run("grant", "hmd-0", "--name", "game", "--url", url);

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("the platform refused (409): hmd-0 is held by L0");
    assertThat(run.out()).isEmpty();
  }

  @Test
  @DisplayName("A --url that is not an http(s) address is bad usage, and nothing is sent.")
  void badUrl() {
    Run run = run("list", "--url", "not a url");

    assertThat(run.code()).isEqualTo(2);
    assertThat(requests).isEmpty();
  }
}
