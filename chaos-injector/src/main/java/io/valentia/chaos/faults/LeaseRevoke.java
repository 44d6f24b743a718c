package io.valentia.chaos.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Substitution;
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
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lease-revoke}: revokes a lease through the platform's lease API ({@code POST
 * /api/v1/leases/ID/revoke}), found by its id ({@code lease}) or by the resource it holds ({@code
 * resource}). The lessee is told through {@code lease.revoked} like any revocation. With a {@code
 * duration} the injector then holds the resource itself for that long (a lease granted to {@code
 * valentia-chaos} whose term is the duration, so it ends even if the injector dies), and the lessee
 * cannot take it back until the revert releases it; without one the lessee may take it back at
 * once. The platform is {@code url} (else {@code VALENTIA_URL}, else http://127.0.0.1:8080), with
 * the API token {@code token} (else {@code VALENTIA_TOKEN}).
 */
final class LeaseRevoke implements Fault {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRevoke.class);
  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final String HOLDER = "valentia-chaos";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Map<String, String> environment;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  LeaseRevoke(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Override
  public String name() {
    return "lease-revoke";
  }

  @Override
  public String summary() {
    return "revoke a lease through the lease API, and hold its resource for the duration if one is"
        + " given; args: lease (id) or resource, url and token (default VALENTIA_URL,"
        + " VALENTIA_TOKEN)";
  }

  /** Without a duration it only revokes; with one it also holds the resource that long. */
  @Override
  public boolean durationOptional() {
    return true;
  }

  @Override
  public List<Target> targets(Arguments arguments) {
    arguments.onlyKnown(Set.of("lease", "resource", "url", "token", "duration"));
    if (arguments.has("lease") == arguments.has("resource")) {
      arguments.problem(
          "lease or resource: give exactly one (a lease id, or the resource it holds)");
    }
    arguments.optionalString("lease", "");
    arguments.optionalString("resource", "");
    arguments.optionalString("token", "");
    String url = url(arguments);
    if (Substitution.hasPlaceholder(url)) {
      return List.of();
    }
    URI uri = parse(url);
    if (uri == null) {
      arguments.problem("url: must be http(s)://HOST[:PORT], found " + url);
      return List.of();
    }
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    return List.of(new Target("host", uri.getHost() + ":" + port));
  }

  @Override
  public Revert inject(Arguments arguments, Duration duration) throws FaultException {
    String base = url(arguments).replaceAll("/+$", "") + "/api/v1/leases";
    String token = arguments.optionalString("token", environment.get("VALENTIA_TOKEN"));
    String id =
        arguments.has("lease")
            ? arguments.string("lease")
            : findByResource(base, token, arguments.string("resource"));
    JsonNode revoked = call("POST", base + "/" + encode(id) + "/revoke", null, token);
    if (revoked == null) {
      throw new FaultException("lease-revoke: no active lease " + id);
    }
    String resource = revoked.path("resource").asText();
    LOG.info("revoked lease {} of {} held by {}", id, resource, revoked.path("lessee"));
    if (duration.isZero()) {
      return () -> {};
    }
    ObjectNode grant = EventCodec.MAPPER.createObjectNode().put("resource", resource);
    grant.putObject("lessee").put("name", HOLDER);
    grant.put("termMs", Math.max(100, duration.toMillis()));
    JsonNode held;
    try {
      held = call("POST", base, grant.toString(), token);
    } catch (FaultException e) {
      // the revocation stands; only holding the resource failed (its lessee was quicker)
      LOG.warn("revoked lease {}, but could not hold {}: {}", id, resource, e.getMessage());
      return () -> {};
    }
    String heldId = held.path("id").asText();
    return () -> {
      call("DELETE", base + "/" + encode(heldId), null, token); // 404: its term already ended
    };
  }

  private String url(Arguments arguments) {
    String fallback = environment.getOrDefault("VALENTIA_URL", DEFAULT_URL);
    return arguments.optionalString("url", fallback.isBlank() ? DEFAULT_URL : fallback);
  }

  private String findByResource(String base, String token, String resource) throws FaultException {
    JsonNode list = call("GET", base, null, token);
    for (JsonNode lease : list.path("leases")) {
      if (resource.equals(lease.path("resource").asText())) {
        return lease.path("id").asText();
      }
    }
    throw new FaultException("lease-revoke: no active lease holds " + resource);
  }

  /**
   * Sends one request to the lease API.
   *
   * @return the JSON answer; null for 404 (no such lease)
   * @throws FaultException when the platform does not answer or refuses
   */
  private JsonNode call(String method, String target, String body, String token)
      throws FaultException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(target))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new FaultException(
          "lease-revoke: the lease service does not answer at " + target + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FaultException("lease-revoke: interrupted", e);
    }
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new FaultException(
          "lease-revoke: "
              + method
              + " "
              + target
              + " was refused ("
              + response.statusCode()
              + "): give an API token with the operator role (token, or VALENTIA_TOKEN)");
    }
    if (response.statusCode() / 100 != 2) {
      throw new FaultException(
          "lease-revoke: "
              + method
              + " "
              + target
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    try {
      return EventCodec.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new FaultException(
          "lease-revoke: " + target + " answered " + response.statusCode() + " without JSON", e);
    }
  }

  private static URI parse(String url) {
    try {
      URI uri = URI.create(url);
      boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      return http && uri.getHost() != null ? uri : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String encode(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
