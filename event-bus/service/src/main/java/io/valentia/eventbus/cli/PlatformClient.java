package io.valentia.eventbus.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A command's client of a running platform's HTTP API: sends a request with the API token, reads
 * the answer, and turns what went wrong into a clear message. Built by {@link ApiOptions#client()}.
 *
 * <p>It uses {@link HttpURLConnection}: a command that only calls the API (a halt must take effect
 * at once) loads no HTTP client machinery, Kafka, Vert.x or logging classes. A request is sent at
 * most once (a body is streamed with its length, so a failure is never retried). Immutable.
 */
public final class PlatformClient {
  /** How long connecting may take by default. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** How long the answer may take by default (each read of it). */
  public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  /** A plain mapper: the event codec's would cost a command its start-up for nothing. */
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final String base;
  private final String token;
  private final Duration connectTimeout;
  private final Duration answerTimeout;

  /**
   * @param base the platform's address, {@code http(s)://HOST[:PORT]} (see {@link #isHttpAddress})
   * @param token the API token sent as a bearer token; null for none
   */
  public PlatformClient(String base, String token) {
    this(base, token, CONNECT_TIMEOUT, ANSWER_TIMEOUT);
  }

  private PlatformClient(
      String base, String token, Duration connectTimeout, Duration answerTimeout) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
    this.connectTimeout = connectTimeout;
    this.answerTimeout = answerTimeout;
  }

  /** This client with other bounds on connecting and on (each read of) the answer. */
  public PlatformClient timeouts(Duration connect, Duration answer) {
    return new PlatformClient(base, token, connect, answer);
  }

  /** This client without the API token, for what anyone may ask. */
  public PlatformClient anonymous() {
    return new PlatformClient(base, null, connectTimeout, answerTimeout);
  }

  /** The platform's address, without a trailing slash. */
  public String base() {
    return base;
  }

  /** Whether {@code address} is an absolute {@code http} or {@code https} address with a host. */
  public static boolean isHttpAddress(String address) {
    try {
      URI uri = URI.create(address);
      return uri.getHost() != null
          && ("http".equalsIgnoreCase(uri.getScheme())
              || "https".equalsIgnoreCase(uri.getScheme()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * {@code GET path}.
   *
   * @see #send
   */
  public Answer get(String path) {
    return send("GET", path, null);
  }

  /**
   * Sends {@code method} to {@code path} (from the platform's root, with its query string, e.g.
   * {@code /api/v1/silences}) with a JSON {@code body} (null for none).
   *
   * @return the answer, whatever its status
   * @throws Unreachable when no platform answers in time
   * @throws ValentiaException when {@code path} makes no address
   */
  public Answer send(String method, String path, String body) {
    String address = base + path;
    HttpURLConnection connection;
    try {
      connection = (HttpURLConnection) URI.create(address).toURL().openConnection();
    } catch (IllegalArgumentException | IOException e) {
      throw new ValentiaException(address + " is not an address: " + e.getMessage(), e);
    }
    try {
      connection.setConnectTimeout(millis(connectTimeout));
      connection.setReadTimeout(millis(answerTimeout));
      connection.setRequestMethod(method);
      connection.setInstanceFollowRedirects(false); // a redirect is an answer, not followed
      connection.setRequestProperty("Accept", "application/json");
      if (token != null) {
        connection.setRequestProperty("Authorization", "Bearer " + token);
      }
      if (body != null) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(bytes.length); // never sent twice
        try (OutputStream out = connection.getOutputStream()) {
          out.write(bytes);
        }
      }
      int status = connection.getResponseCode();
      String text;
      try (InputStream in =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
        text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return new Answer(address, status, text);
    } catch (SocketTimeoutException e) {
      throw new Unreachable(address, true, e);
    } catch (IOException e) {
      throw new Unreachable(address, false, e);
    } finally {
      connection.disconnect();
    }
  }

  private static int millis(Duration duration) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
  }

  /**
   * An answer of the API.
   *
   * @param address where the request went
   * @param status its HTTP status
   * @param text its body as it came ({@code ""} for none)
   */
  public record Answer(String address, int status, String text) {
    /** Whether the status is 2xx. */
    public boolean ok() {
      return status / 100 == 2;
    }

    /**
     * The body as JSON (a missing node when there is none).
     *
     * @throws ValentiaException when it is not JSON
     */
    public JsonNode body() {
      if (text.isBlank()) {
        return MissingNode.getInstance();
      }
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new ValentiaException(address + " answered " + status + " without JSON");
      }
    }

    /** The {@code error} of a JSON body, else the body as it came. */
    public String error() {
      try {
        JsonNode error = JSON.readTree(text).path("error");
        return error.isTextual() ? error.asText() : text;
      } catch (IOException | RuntimeException e) {
        return text;
      }
    }

    /**
     * This answer when it is 2xx.
     *
     * @throws Refused otherwise
     */
    public Answer orThrow() {
      if (!ok()) {
        throw new Refused(this);
      }
      return this;
    }
  }

  /** No platform answered: nothing listens at the address, or it did not answer in time. */
  public static final class Unreachable extends ValentiaException.RetriableException {
    private static final long serialVersionUID = 1L;
    private final String address;
    private final boolean timedOut;

    Unreachable(String address, boolean timedOut, IOException cause) {
      super(
          "no platform answers at "
              + address
              + " ("
              + cause
              + "); is it up? Set --url or VALENTIA_URL",
          cause);
      this.address = address;
      this.timedOut = timedOut;
    }

    /** Where the request went. */
    public String address() {
      return address;
    }

    /** Whether it connected or waited for the answer longer than its bound. */
    public boolean timedOut() {
      return timedOut;
    }
  }

  /** The platform answered, with a status other than 2xx. */
  public static final class Refused extends ValentiaException {
    private static final long serialVersionUID = 1L;
    private final transient Answer answer;

    Refused(Answer answer) {
      super(
          "the platform refused ("
              + answer.status()
              + "): "
              + answer.error()
              + (answer.status() == 401
                  ? " (give a valid API token with --token or VALENTIA_TOKEN)"
                  : ""));
      this.answer = answer;
    }

    /** The answer. */
    public Answer answer() {
      return answer;
    }
  }
}
