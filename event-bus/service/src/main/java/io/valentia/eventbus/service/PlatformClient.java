package io.valentia.eventbus.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How a command reaches a running platform's API: {@code --url} / {@code VALENTIA_URL} (default
 * {@code http://127.0.0.1:8080}) and {@code --token} / {@code VALENTIA_TOKEN}. A picocli mixin.
 */
public final class PlatformClient {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "the platform's web address (VALENTIA_URL; default " + DEFAULT_URL + ")")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "API token (VALENTIA_TOKEN)")
  String token;

  /** The answer of the API: its status and JSON body. */
  public record Answer(int status, JsonNode body) {}

  /**
   * GETs {@code path} (under {@code /api/v1}, with its query string).
   *
   * @throws ValentiaException when no platform answers or the answer is not JSON
   */
  public Answer get(String path) throws InterruptedException {
    return send("GET", path, null);
  }

  /**
   * Sends {@code method} to {@code path} (under {@code /api/v1}) with a JSON {@code body} (null for
   * none).
   *
   * @throws ValentiaException when no platform answers or the answer is not JSON
   */
  public Answer send(String method, String path, String body) throws InterruptedException {
    String base = pick(url, "VALENTIA_URL", DEFAULT_URL);
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String address = base + "/api/v1" + path;
    HttpRequest.Builder request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(address))
              .timeout(Duration.ofSeconds(30))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
    } catch (IllegalArgumentException e) {
      throw new ValentiaException("--url must be an http(s) address, found " + base);
    }
    String bearer = pick(token, "VALENTIA_TOKEN", null);
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ValentiaException(
          "no platform answers at " + base + " (" + e + "); is it up? Set --url or VALENTIA_URL");
    }
    try {
      return new Answer(response.statusCode(), EventCodec.MAPPER.readTree(response.body()));
    } catch (IOException e) {
      throw new ValentiaException(address + " answered " + response.statusCode() + " without JSON");
    }
  }

  private static String pick(String flag, String variable, String fallback) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String env = System.getenv(variable);
    return env != null && !env.isBlank() ? env : fallback;
  }
}
