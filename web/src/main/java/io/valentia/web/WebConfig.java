package io.valentia.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.web.auth.ClientAddress;
import io.valentia.web.auth.OriginCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

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

  private static final Field<String> HOST = Field.text("host").withDefault(DEFAULT_HOST);
  private static final Field<Integer> PORT =
      Field.of(
              "port",
              node -> {
                if (!node.canConvertToInt()) {
                  throw new IllegalArgumentException("must be an integer");
                }
                return node.asInt();
              })
          .withDefault(DEFAULT_PORT);
  private static final Field<Duration> IDLE_TIMEOUT =
      atLeast("idle-timeout", DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(1));
  private static final Field<Duration> HEADER_TIMEOUT =
      atLeast("header-timeout", DEFAULT_HEADER_TIMEOUT, Duration.ofMillis(100));
  private static final Field<Duration> KAFKA_WAIT =
      atLeast("kafka-wait", DEFAULT_KAFKA_WAIT, Duration.ofMillis(100));
  private static final Field<Duration> SESSION_IDLE =
      atLeast("idle", DEFAULT_SESSION_IDLE, Duration.ofSeconds(1));
  private static final Field<Duration> SESSION_LIFETIME =
      atLeast("lifetime", DEFAULT_SESSION_LIFETIME, Duration.ofSeconds(1));
  private static final Field<Integer> THROTTLE_FAILURES =
      Field.integer("failures")
          .withDefault(DEFAULT_THROTTLE_FAILURES)
          .validateAll(
              n -> n >= 1 && n <= 1_000_000,
              node -> "must be a whole number from 1 to 1000000, found " + node);
  private static final Field<Duration> THROTTLE_PER =
      atLeast("per", DEFAULT_THROTTLE_PER, Duration.ofSeconds(1));

  private static Field<Duration> atLeast(String name, Duration fallback, Duration least) {
    return Field.duration(name)
        .withDefault(fallback)
        .validate(d -> d.compareTo(least) >= 0, "must be at least " + least.toMillis() + "ms");
  }

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
   * The settings of an {@code http} section; missing keys take their defaults.
   *
   * @throws ConfigException listing every problem of the keys of {@link #KEYS}, {@code host} and
   *     {@code port}
   */
  public static WebConfig of(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    WebConfig config = read(reader);
    reader.throwIfProblems("bad http configuration");
    return config;
  }

  /**
   * Every problem of the keys of {@link #KEYS} in an {@code http} section, each naming its key
   * within the section; empty when they are fine.
   */
  public static List<String> check(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    read(reader);
    return reader.problemLines();
  }

  private static WebConfig read(ConfigSection section) {
    ConfigSection sessions = nested(section, "sessions", SESSION_IDLE, SESSION_LIFETIME);
    ConfigSection throttle = nested(section, "throttle", THROTTLE_FAILURES, THROTTLE_PER);
    return new WebConfig(
        section.get(HOST),
        section.get(PORT),
        section.get(IDLE_TIMEOUT),
        section.get(HEADER_TIMEOUT),
        section.get(KAFKA_WAIT),
        addresses(section, "trusted-proxies", ClientAddress::checkProxy),
        addresses(section, "allowed-origins", OriginCheck::checkOrigin),
        sessions.get(SESSION_IDLE),
        sessions.get(SESSION_LIFETIME),
        throttle.get(THROTTLE_FAILURES),
        throttle.get(THROTTLE_PER));
  }

  /** A list, or a comma-separated string, of values {@code check} finds no problem with. */
  private static List<String> addresses(
      ConfigSection section, String key, Function<String, String> check) {
    JsonNode list = section.node().path(key);
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray() && !list.isTextual()) {
      section.problem(key, "must be a list");
      return List.of();
    }
    List<String> values = strings(list);
    for (String value : values) {
      String problem = check.apply(value);
      if (problem != null) {
        section.problem(key, problem);
      }
    }
    return values;
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

  private static ConfigSection nested(ConfigSection section, String key, Field<?>... fields) {
    ConfigSection nested = section.section(key);
    List<Field<?>> known = List.of(fields);
    if (nested.isAbsent()) {
      return nested;
    }
    String names = String.join(" and ", known.stream().map(Field::name).toList());
    if (nested.isMapping("must be a mapping with " + names)) {
      nested.checkKeys(known, (name, all) -> "unknown key (" + String.join(", ", all) + ")");
    }
    return nested;
  }
}
