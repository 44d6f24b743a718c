package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls to a running platform's API from the tests that drive its pages. */
final class ApiCalls {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ApiCalls() {}

  /** The API's answer: its status and JSON body (JSON null when empty). */
  record Answer(int status, JsonNode body) {}

  /** Sends {@code method} to {@code base + path} with a bearer {@code token} and a JSON body. */
  static Answer api(String base, String token, String method, String path, String body)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.body().isEmpty()
            ? EventCodec.MAPPER.nullNode()
            : EventCodec.MAPPER.readTree(response.body()));
  }

  /** A new API token of {@code role} named {@code name}, made with the {@code admin} token. */
  static String token(String base, String admin, String name, String role) throws Exception {
    Answer created =
        api(
            base,
            admin,
            "POST",
            "/api/v1/tokens",
            EventCodec.MAPPER.createObjectNode().put("name", name).put("role", role).toString());
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    return created.body().path("token").asText();
  }
}
