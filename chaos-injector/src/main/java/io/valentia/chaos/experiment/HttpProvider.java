package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.valentia.chaos.safety.ProviderAllowList;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code http} provider of Chaos Toolkit (its {@code provider/http}): calls a URL the
 * allow-list permits, with the activity's method, headers and arguments (as the query of a GET,
 * HEAD or DELETE, as a JSON body otherwise), within its timeout or the configured one. Redirects
 * are followed by hand, at most {@value #MAX_REDIRECTS}, each one checked against the allow-list.
 * The output is {@code {status, headers, body}}, the body parsed when it is JSON. Thread-safe.
 */
final class HttpProvider {
  static final int MAX_REDIRECTS = 5;

  private final Supplier<ProviderPolicy> policy;

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** {@code policy} is read at every call: the allow-list and default timeout in force. */
  HttpProvider(Supplier<ProviderPolicy> policy) {
    this.policy = policy;
  }

  /**
   * Calls {@code h} for {@code activity}.
   *
   * @param toleranceValue the value a tolerance probe judges, added to the arguments as {@code
   *     value}; null for an activity
   * @param events where a refusal is audited
   * @throws ActivityFailedException when the call is refused, fails, times out or answers another
   *     status than the expected one
   */
  JsonNode call(
      Provider.Http h, JsonNode toleranceValue, String activity, RunEventPublisher events) {
    ProviderAllowList allowList = policy.get().allowList();
    String refusal = allowList.urlRefusal(h.url());
    if (refusal != null) {
      events.auditRefusal("experiment.http", h.url(), activity, refusal);
      throw new ActivityFailedException(refusal);
    }
    Duration timeout = h.timeout() != null ? h.timeout() : policy.get().timeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    String url = h.url();
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
    boolean query = List.of("GET", "HEAD", "DELETE").contains(h.method());
    JsonNode arguments = h.arguments();
    if (toleranceValue != null) {
      ObjectNode withValue =
          arguments instanceof ObjectNode o ? o.deepCopy() : EventCodec.MAPPER.createObjectNode();
      withValue.set("value", toleranceValue);
      arguments = withValue;
    }
    if (arguments != null && arguments.isObject() && query) {
      String q = query(arguments);
      if (!q.isEmpty()) {
        url += (url.contains("?") ? "&" : "?") + q;
      }
    } else if (arguments != null && !query) {
      body = HttpRequest.BodyPublishers.ofString(arguments.toString());
    }
    String method = h.method();
    URI target = URI.create(url);
    HttpResponse<String> response;
    for (int hops = 0; ; hops++) {
      Duration left = Duration.ofNanos(deadline - System.nanoTime());
      if (left.isNegative() || left.isZero()) {
        throw new ActivityFailedException(
            "HTTP " + h.method() + " " + h.url() + " did not answer within " + timeout);
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target).timeout(left).method(method, body);
      h.headers().forEach(request::header);
      if (arguments != null
          && !query
          && !method.equals("GET")
          && !h.headers().keySet().stream().anyMatch(k -> k.equalsIgnoreCase("content-type"))) {
        request.header("Content-Type", "application/json");
      }
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.net.http.HttpTimeoutException e) {
        throw new ActivityFailedException(
            "HTTP " + h.method() + " " + h.url() + " did not answer within " + timeout);
      } catch (IOException e) {
        throw new ActivityFailedException("HTTP " + h.method() + " " + h.url() + " failed: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ActivityFailedException(
            "HTTP " + h.method() + " " + h.url() + " was interrupted: the run was stopped");
      }
      int status = response.statusCode();
      var location = response.headers().firstValue("location");
      if (status < 300 || status > 399 || status == 304 || location.isEmpty()) {
        break;
      }
      if (hops >= MAX_REDIRECTS) {
        throw new ActivityFailedException(
            "HTTP "
                + h.method()
                + " "
                + h.url()
                + " redirected more than "
                + MAX_REDIRECTS
                + " times");
      }
      URI next;
      try {
        next = target.resolve(location.get());
      } catch (IllegalArgumentException e) {
        throw new ActivityFailedException(
            "HTTP " + h.method() + " " + h.url() + " redirected to a bad URL: " + location.get());
      }
      String redirectRefusal = allowList.urlRefusal(next.toString());
      if (redirectRefusal != null) {
        String why = h.url() + " redirected (" + status + ") to " + redirectRefusal;
        events.auditRefusal("experiment.http", next.toString(), activity, why);
        throw new ActivityFailedException("HTTP " + h.method() + " " + why);
      }
      if (status == 303 && !method.equals("HEAD")
          || (status == 301 || status == 302) && method.equals("POST")) {
        method = "GET";
        body = HttpRequest.BodyPublishers.noBody();
      }
      target = next;
    }
    ObjectNode out = EventCodec.MAPPER.createObjectNode().put("status", response.statusCode());
    ObjectNode headers = out.putObject("headers");
    response.headers().map().forEach((k, v) -> headers.put(k, String.join(", ", v)));
    out.set("body", bodyOf(response));
    if (h.expectedStatus() != null && response.statusCode() != h.expectedStatus()) {
      throw new ActivityFailedException(
          "HTTP "
              + h.method()
              + " "
              + h.url()
              + " answered "
              + response.statusCode()
              + ", expected "
              + h.expectedStatus());
    }
    return out;
  }

  /** {@code arguments} as a URL query: each field, text as it is, structures as JSON. */
  static String query(JsonNode arguments) {
    StringBuilder q = new StringBuilder();
    arguments
        .fields()
        .forEachRemaining(
            e ->
                q.append(q.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(
                        URLEncoder.encode(
                            e.getValue().isValueNode()
                                ? e.getValue().asText()
                                : e.getValue().toString(),
                            StandardCharsets.UTF_8)));
    return q.toString();
  }

  private static JsonNode bodyOf(HttpResponse<String> response) {
    String text = response.body();
    if (response.headers().firstValue("content-type").orElse("").contains("json")) {
      try {
        return EventCodec.MAPPER.readTree(text);
      } catch (IOException e) {
        return TextNode.valueOf(text);
      }
    }
    return TextNode.valueOf(text);
  }
}
