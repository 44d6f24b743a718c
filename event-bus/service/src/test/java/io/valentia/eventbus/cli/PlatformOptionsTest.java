package io.valentia.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/**
 * The platform options read from a command line. What a variable of this JVM's environment would
 * give is computed from it, so the tests hold whatever the environment says.
 */
@DisplayName("The platform options of a command")
class PlatformOptionsTest {

  @Command(name = "probe")
  static final class Probe {
    @Mixin ApiOptions api;
    @Mixin KafkaOptions kafka;
  }

  private static Probe parse(String... args) {
    Probe probe = new Probe();
    new CommandLine(probe).parseArgs(args);
    return probe;
  }

  private static String env(String variable, String fallback) {
    String value = System.getenv(variable);
    return value == null || value.isBlank() ? fallback : value;
  }

  @Test
  @DisplayName("--url and --token are taken as given, the URL without its trailing slash.")
  void flags() {
    Probe probe = parse("--url", "http://10.0.0.5:8080/", "--token", "t1");

    assertThat(probe.api.url()).isEqualTo("http://10.0.0.5:8080");
    assertThat(probe.api.token()).isEqualTo("t1");
    assertThat(probe.api.client().base()).isEqualTo("http://10.0.0.5:8080");
  }

  @Test
  @DisplayName(
      "Without flags, or with blank ones, the URL and token come from VALENTIA_URL and"
          + " VALENTIA_TOKEN, else the URL is http://127.0.0.1:8080 and there is no token.")
  void defaults() {
    for (Probe probe : new Probe[] {parse(), parse("--url", " ", "--token", "")}) {
      assertThat(probe.api.url())
          .isEqualTo(env("VALENTIA_URL", "http://127.0.0.1:8080").replaceAll("/$", ""));
      assertThat(probe.api.token()).isEqualTo(env("VALENTIA_TOKEN", null));
    }
  }

  @Test
  @DisplayName("A --url that is not an http(s) address is bad usage naming it.")
  void badUrl() {
    Probe probe = parse("--url", "not a url");

    assertThatThrownBy(() -> probe.api.client())
        .isInstanceOf(ParameterException.class)
        .hasMessage("--url must be an http(s) address, found not a url");
  }

  @Test
  @DisplayName("A command that needs a token and has none is bad usage saying how to give one.")
  void tokenNeeded() {
    Probe probe = parse("--token", "t2");
    assertThat(probe.api.requireToken()).isEqualTo("t2");

    if (env("VALENTIA_TOKEN", null) == null) {
      assertThatThrownBy(() -> parse().api.requireToken())
          .isInstanceOf(ParameterException.class)
          .hasMessage("an API token is needed: --token or VALENTIA_TOKEN");
    } else {
      assertThat(parse().api.requireToken()).isEqualTo(env("VALENTIA_TOKEN", null));
    }
  }

  @Test
  @DisplayName("--kafka is described as coming from the flag; without it, from where it came.")
  void kafkaDescribed() {
    assertThat(parse("--kafka", "10.0.0.5:9092").kafka.described())
        .isEqualTo("10.0.0.5:9092 (from --kafka)");

    String env = env("VALENTIA_KAFKA_BOOTSTRAP", null);
    String expected =
        env == null
            ? "127.0.0.1:9092 (from the default)"
            : env + " (from VALENTIA_KAFKA_BOOTSTRAP)";
    assertThat(parse().kafka.described()).isEqualTo(expected);
    assertThat(parse("--kafka", "").kafka.described()).isEqualTo(expected);
  }

  @Test
  @DisplayName(
      "--data-dir and --kafka-config are taken as given; else VALENTIA_DATA or ./data, and"
          + " VALENTIA_KAFKA_CONFIG or none.")
  void kafkaSignIn() {
    Probe given = parse("--data-dir", "/srv/valentia", "--kafka-config", "/etc/kafka.properties");
    assertThat(given.kafka.dataDir()).isEqualTo(Path.of("/srv/valentia"));
    assertThat(given.kafka.kafkaConfig()).isEqualTo(Path.of("/etc/kafka.properties"));

    Probe none = parse();
    assertThat(none.kafka.dataDir()).isEqualTo(Path.of(env("VALENTIA_DATA", "data")));
    String config = env("VALENTIA_KAFKA_CONFIG", null);
    assertThat(none.kafka.kafkaConfig()).isEqualTo(config == null ? null : Path.of(config));
  }

  @Test
  @DisplayName("--help of a command lists each platform option once, with its variable.")
  void help() {
    String usage = new CommandLine(new Probe()).getUsageMessage();

    for (String option :
        new String[] {"--url", "--token", "--kafka", "--kafka-config", "--data-dir"}) {
      assertThat(usage.lines().filter(line -> line.trim().startsWith(option + "=")))
          .as(option)
          .hasSize(1);
    }
    assertThat(usage)
        .contains(
            "VALENTIA_URL",
            "VALENTIA_TOKEN",
            "VALENTIA_KAFKA_BOOTSTRAP",
            "VALENTIA_KAFKA_CONFIG",
            "VALENTIA_DATA");
  }
}
