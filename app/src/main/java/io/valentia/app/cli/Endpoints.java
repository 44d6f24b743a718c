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

  /**
   * Whether the Kafka cluster at {@link #kafka()} answers within {@code timeout}: a command asks
   * this first to say at once, in one line, that Kafka is unreachable, instead of after its
   * clients' own, longer timeouts.
   */
  public boolean kafkaAnswers(java.time.Duration timeout) {
    return kafkaAnswers(timeout, java.util.Map.of());
  }

  /**
   * Whether Kafka answers within {@code timeout}, asked with {@code clientProperties} (the client
   * security settings: a secured broker does not answer a client that does not sign in).
   */
  public boolean kafkaAnswers(
      java.time.Duration timeout, java.util.Map<String, String> clientProperties) {
    int millis = (int) Math.max(1, timeout.toMillis());
    java.util.Map<String, Object> props = new java.util.HashMap<>(clientProperties);
    props.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka());
    props.put(org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    props.put(
        org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props);
    try {
      admin.describeCluster().clusterId().get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException
        | org.apache.kafka.common.KafkaException e) {
      return false;
    } finally {
      admin.close(java.time.Duration.ofSeconds(1));
    }
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
