package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.safety.ProviderAllowList;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HTTP provider alone, against a small real HTTP server that echoes what it gets. */
class HttpProviderTest {
  private final List<CloudEvent> events = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private HttpServer server;
  private HttpProvider provider;
  private RunEventPublisher publisher;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                rq ->
                    rq.body()
                        .onSuccess(
                            body -> {
                              if (rq.path().equals("/see-other")) {
                                rq.response()
                                    .setStatusCode(303)
                                    .putHeader("Location", "/echo")
                                    .end();
                                return;
                              }
                              rq.response()
                                  .setStatusCode(rq.path().equals("/teapot") ? 418 : 200)
                                  .putHeader("Content-Type", "application/json")
                                  .end(
                                      EventCodec.MAPPER
                                          .createObjectNode()
                                          .put("method", rq.method().name())
                                          .put("uri", rq.uri())
                                          .put("contentType", rq.getHeader("Content-Type"))
                                          .put("body", body.toString())
                                          .toString());
                            }))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    ProviderPolicy policy =
        new ProviderPolicy(
            new ProviderAllowList(List.of(), List.of(base() + "/")),
            ProviderPolicy.DEFAULT_USER,
            Duration.ofSeconds(20));
    provider = new HttpProvider(() -> policy);
    publisher =
        new RunEventPublisher(
            events::add,
            "test",
            "run-1",
            new Experiment("t", null, List.of(), null, List.of(), List.of(), null),
            new ExperimentRunner.RunOptions("run-1", Duration.ZERO, "alice", "operator"));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private String base() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  private JsonNode call(String method, String path, String arguments, Integer expected)
      throws Exception {
    return call(method, path, arguments, expected, null);
  }

  private JsonNode call(
      String method, String path, String arguments, Integer expected, JsonNode value)
      throws Exception {
    Provider.Http http =
        new Provider.Http(
            base() + path,
            method,
            Map.of(),
            arguments == null ? null : EventCodec.MAPPER.readTree(arguments),
            null,
            expected);
    return provider.call(http, value, "call", publisher);
  }

  @Test
  @DisplayName(
      "A GET sends its arguments, and a tolerance probe's value, as the query; the JSON answer is parsed")
  void getWithQuery() throws Exception {
    JsonNode out =
        call(
            "GET",
            "/echo?x=1",
            "{\"name\": \"a b\", \"labels\": {\"k\": 1}}",
            null,
            EventCodec.MAPPER.readTree("7"));

    assertThat(out.path("status").asInt()).isEqualTo(200);
    assertThat(out.path("body").path("method").asText()).isEqualTo("GET");
    assertThat(out.path("body").path("uri").asText())
        .isEqualTo("/echo?x=1&name=a+b&labels=%7B%22k%22%3A1%7D&value=7");
  }

  @Test
  @DisplayName(
      "A POST sends its arguments as a JSON body, and a 303 answer is followed with a GET without the body")
  void postAndSeeOther() throws Exception {
    JsonNode posted = call("POST", "/echo", "{\"n\": 1}", null);
    JsonNode redirected = call("POST", "/see-other", "{\"n\": 1}", null);

    assertThat(posted.path("body").path("contentType").asText()).isEqualTo("application/json");
    assertThat(posted.path("body").path("body").asText()).isEqualTo("{\"n\":1}");
    assertThat(redirected.path("body").path("method").asText()).isEqualTo("GET");
    assertThat(redirected.path("body").path("uri").asText()).isEqualTo("/echo");
    assertThat(redirected.path("body").path("body").asText()).isEmpty();
  }

  @Test
  @DisplayName("An answer with another status than the expected one fails the call, naming both")
  void expectedStatus() {
    assertThatThrownBy(() -> call("GET", "/teapot", null, 200))
        .isInstanceOf(ActivityFailedException.class)
        .hasMessage("HTTP GET " + base() + "/teapot answered 418, expected 200");
  }

  @Test
  @DisplayName("A URL off the allow-list is refused before any request, and audited as denied")
  void refused() {
    Provider.Http off = new Provider.Http("http://127.0.0.2:1/", "GET", Map.of(), null, null, null);

    assertThatThrownBy(() -> provider.call(off, null, "call", publisher))
        .isInstanceOf(ActivityFailedException.class)
        .hasMessageContaining("chaos.allow.urls");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).data().path("action").asText()).isEqualTo("experiment.http");
    assertThat(events.get(0).data().path("outcome").asText()).isEqualTo("denied");
  }
}
