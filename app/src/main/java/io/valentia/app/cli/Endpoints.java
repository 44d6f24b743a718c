package io.valentia.app.cli;

import picocli.CommandLine.Option;

/** How a command finds a running platform: flags first, then the environment, then defaults. */
public final class Endpoints {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";
  public static final String DEFAULT_KAFKA = "127.0.0.1:9092";

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "the platform's web address (VALENTIA_URL; default " + DEFAULT_URL + ")")
  String url;

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      description =
          "Kafka bootstrap servers (VALENTIA_KAFKA_BOOTSTRAP; default " + DEFAULT_KAFKA + ")")
  String kafka;

  @Option(names = "--token", paramLabel = "TOKEN", description = "API token (VALENTIA_TOKEN)")
  String token;

  public String url() {
    String value = pick(url, "VALENTIA_URL", DEFAULT_URL);
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  public String kafka() {
    return pick(kafka, "VALENTIA_KAFKA_BOOTSTRAP", DEFAULT_KAFKA);
  }

  /**
   * {@link #kafka()} and where it came from, for messages: {@code 10.0.0.5:9092 (from
   * VALENTIA_KAFKA_BOOTSTRAP)}.
   */
  public String kafkaDescribed() {
    String from =
        kafka != null && !kafka.isBlank()
            ? "--kafka"
            : System.getenv("VALENTIA_KAFKA_BOOTSTRAP") != null
                    && !System.getenv("VALENTIA_KAFKA_BOOTSTRAP").isBlank()
                ? "VALENTIA_KAFKA_BOOTSTRAP"
                : "the default";
    return kafka() + " (from " + from + ")";
  }

  /** The API token, or null when none is given. */
  public String token() {
    return pick(token, "VALENTIA_TOKEN", null);
  }

  private static String pick(String flag, String variable, String fallback) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String env = System.getenv(variable);
    return env != null && !env.isBlank() ? env : fallback;
  }
}
