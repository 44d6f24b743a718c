package io.valentia.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.web.auth.ClientAddress;
import io.valentia.web.auth.OriginCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The web server's settings: the {@code http} section of the configuration. Every key but {@code
 * host} and {@code port} is optional; durations are written {@code 500ms}, {@code 30s}, {@code 5m}
 * or {@code 2h}.
 *
 * @param host the address to bind ({@code host}); {@code 127.0.0.1} by default, {@code 0.0.0.0} for
 *     every interface
 * @param port the port ({@code port}); 0 picks a free one
 * @param idleTimeout a connection that neither sends nor receives anything for this long is closed
 *     ({@code idle-timeout}, default 60 s); live streams send heartbeats well within it
 * @param headerTimeout a connection must deliver a request's complete headers within this long of
 *     opening or of its previous answer, else it is closed ({@code header-timeout}, default 10 s):
 *     the bound on slow-header clients that an idle timeout alone does not give
 * @param kafkaWait how long a change waits for Kafka before it is answered 503 with {@code
 *     Retry-After} ({@code kafka-wait}, default 5 s)
 * @param trustedProxies addresses and CIDR blocks of the reverse proxies whose {@code
 *     X-Forwarded-Proto} and {@code X-Forwarded-For} are believed ({@code trusted-proxies}, default
 *     none)
 * @param allowedOrigins origins besides the server's own ({@code scheme://host[:port]}) from which
 *     a browser session may change things ({@code allowed-origins}, default none)
 * @param sessionIdle a browser session unused for this long ends ({@code sessions.idle}, default 2
 *     h)
 * @param sessionLifetime a browser session ends this long after its login however much it is used
 *     ({@code sessions.lifetime}, default 12 h)
 * @param throttleFailures failed logins or bearer tokens allowed in a burst per client address and
 *     per principal before 429 ({@code throttle.failures}, default 20)
 * @param throttlePer the time in which that allowance refills ({@code throttle.per}, default 1 m)
 */
public record WebConfig(
    String host,
    int port,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration kafkaWait,
    List<String> trustedProxies,
    List<String> allowedOrigins,
    Duration sessionIdle,
    Duration sessionLifetime,
    int throttleFailures,
    Duration throttlePer) {
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_KAFKA_WAIT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofHours(2);
  public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(12);
  public static final int DEFAULT_THROTTLE_FAILURES = 20;
  public static final Duration DEFAULT_THROTTLE_PER = Duration.ofMinutes(1);

  /** The keys of the section besides {@code host}, {@code port} and {@code streams}. */
  public static final Set<String> KEYS =
      Set.of(
          "idle-timeout",
          "header-timeout",
          "kafka-wait",
          "trusted-proxies",
          "allowed-origins",
          "sessions",
          "throttle");

  public WebConfig {
    trustedProxies = List.copyOf(trustedProxies);
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /** {@code host} and {@code port} with every other setting at its default. */
  public WebConfig(String host, int port) {
    this(
        host,
        port,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_HEADER_TIMEOUT,
        DEFAULT_KAFKA_WAIT,
        List.of(),
        List.of(),
        DEFAULT_SESSION_IDLE,
        DEFAULT_SESSION_LIFETIME,
        DEFAULT_THROTTLE_FAILURES,
        DEFAULT_THROTTLE_PER);
  }

  /**
   * The settings of an {@code http} section; missing keys take their defaults. Check it first with
   * {@link #check}: a bad value here throws {@link IllegalArgumentException}.
   */
  public static WebConfig of(JsonNode section) {
    JsonNode sessions = section.path("sessions");
    JsonNode throttle = section.path("throttle");
    return new WebConfig(
        section.path("host").asText(DEFAULT_HOST),
        section.path("port").asInt(DEFAULT_PORT),
        duration(section.path("idle-timeout"), DEFAULT_IDLE_TIMEOUT),
        duration(section.path("header-timeout"), DEFAULT_HEADER_TIMEOUT),
        duration(section.path("kafka-wait"), DEFAULT_KAFKA_WAIT),
        strings(section.path("trusted-proxies")),
        strings(section.path("allowed-origins")),
        duration(sessions.path("idle"), DEFAULT_SESSION_IDLE),
        duration(sessions.path("lifetime"), DEFAULT_SESSION_LIFETIME),
        throttle.path("failures").asInt(DEFAULT_THROTTLE_FAILURES),
        duration(throttle.path("per"), DEFAULT_THROTTLE_PER));
  }

  /**
   * Every problem of the keys of {@link #KEYS} in an {@code http} section, each naming its key
   * within the section; empty when they are fine.
   */
  public static List<String> check(JsonNode section) {
    List<String> problems = new ArrayList<>();
    checkDuration(section, "idle-timeout", Duration.ofSeconds(1), problems);
    checkDuration(section, "header-timeout", Duration.ofMillis(100), problems);
    checkDuration(section, "kafka-wait", Duration.ofMillis(100), problems);
    for (String key : List.of("trusted-proxies", "allowed-origins")) {
      JsonNode list = section.path(key);
      if (list.isMissingNode() || list.isNull()) {
        continue;
      }
      if (!list.isArray() && !list.isTextual()) {
        problems.add(key + ": must be a list");
        continue;
      }
      for (String value : strings(list)) {
        String problem =
            key.equals("trusted-proxies")
                ? ClientAddress.checkProxy(value)
                : OriginCheck.checkOrigin(value);
        if (problem != null) {
          problems.add(key + ": " + problem);
        }
      }
    }
    nested(section, "sessions", Set.of("idle", "lifetime"), problems);
    checkDuration(section.path("sessions"), "idle", Duration.ofSeconds(1), problems, "sessions.");
    checkDuration(
        section.path("sessions"), "lifetime", Duration.ofSeconds(1), problems, "sessions.");
    nested(section, "throttle", Set.of("failures", "per"), problems);
    JsonNode failures = section.path("throttle").path("failures");
    if (!failures.isMissingNode()
        && (!failures.isIntegralNumber()
            || !failures.canConvertToInt()
            || failures.asInt() < 1
            || failures.asInt() > 1_000_000)) {
      problems.add(
          "throttle.failures: must be a whole number from 1 to 1000000, found " + failures);
    }
    checkDuration(section.path("throttle"), "per", Duration.ofSeconds(1), problems, "throttle.");
    return problems;
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 5m} or {@code 2h}. */
  static Duration parseDuration(String text) {
    return io.valentia.eventbus.config.Durations.parse(text);
  }

  private static Duration duration(JsonNode node, Duration fallback) {
    return node.isMissingNode() || node.isNull() ? fallback : parseDuration(node.asText());
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      for (String part : node.asText().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    } else if (node.isArray()) {
      node.forEach(v -> out.add(v.asText().trim()));
    }
    return out;
  }

  private static void nested(
      JsonNode section, String key, Set<String> known, List<String> problems) {
    JsonNode node = section.path(key);
    if (node.isMissingNode() || node.isNull()) {
      return;
    }
    if (!node.isObject()) {
      problems.add(key + ": must be a mapping with " + String.join(" and ", known));
      return;
    }
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!known.contains(name)) {
                problems.add(key + "." + name + ": unknown key (" + String.join(", ", known) + ")");
              }
            });
  }

  private static void checkDuration(
      JsonNode section, String key, Duration least, List<String> problems) {
    checkDuration(section, key, least, problems, "");
  }

  private static void checkDuration(
      JsonNode section, String key, Duration least, List<String> problems, String prefix) {
    JsonNode node = section.path(key);
    if (node.isMissingNode() || node.isNull()) {
      return;
    }
    try {
      Duration value = parseDuration(node.asText());
      if (value.compareTo(least) < 0) {
        problems.add(prefix + key + ": must be at least " + least.toMillis() + "ms");
      }
    } catch (IllegalArgumentException e) {
      problems.add(prefix + key + ": " + e.getMessage());
    }
  }
}
