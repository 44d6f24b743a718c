package io.valentia.eventbus.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a command finds Kafka, a picocli mixin: {@code --kafka}, else {@code
 * VALENTIA_KAFKA_BOOTSTRAP}, else {@code 127.0.0.1:9092}. A blank flag or variable counts as not
 * given. Not thread-safe (one command, one thread).
 */
public final class KafkaAddress {
  public static final String DEFAULT_KAFKA = "127.0.0.1:9092";

  static final String VARIABLE = "VALENTIA_KAFKA_BOOTSTRAP";

  @Option(
      names = "--kafka",
      paramLabel = "BOOTSTRAP",
      defaultValue = "${env:" + VARIABLE + ":-" + DEFAULT_KAFKA + "}",
      description =
          "Kafka bootstrap servers (VALENTIA_KAFKA_BOOTSTRAP; default " + DEFAULT_KAFKA + ")")
  String kafka;

  @Spec CommandSpec self;

  /** The bootstrap servers. */
  public String bootstrap() {
    return Lookup.value(flag(), VARIABLE, DEFAULT_KAFKA);
  }

  /**
   * {@link #bootstrap()} and where it came from, for messages: {@code 10.0.0.5:9092 (from
   * VALENTIA_KAFKA_BOOTSTRAP)}.
   */
  public String described() {
    String from =
        Lookup.given(flag())
            ? "--kafka"
            : Lookup.given(System.getenv(VARIABLE)) ? VARIABLE : "the default";
    return bootstrap() + " (from " + from + ")";
  }

  /** {@code --kafka} as given on the command line, or null. */
  private String flag() {
    boolean given = self == null || !self.findOption("--kafka").originalStringValues().isEmpty();
    return given ? kafka : null;
  }
}
