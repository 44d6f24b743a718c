package io.valentia.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code valentia halt} sends, read from its parsed arguments (no Kafka). */
@DisplayName("valentia halt")
class HaltCommandTest {

  @Test
  @DisplayName("--release without --reason says who released the halt instead of no reason.")
  void releaseWithoutReason() {
    HaltCommand halt = parse("--release", "--by", "ann");

    assertThat(halt.reason()).isEqualTo("released by ann");
  }

  @Test
  @DisplayName("--release with --reason keeps the reason given.")
  void releaseWithReason() {
    HaltCommand halt = parse("--release", "--by", "ann", "--reason", "game day over");

    assertThat(halt.reason()).isEqualTo("game day over");
  }

  @Test
  @DisplayName("A halt without --reason names who halted through --by.")
  void haltWithoutReason() {
    HaltCommand halt = parse("--by", "ann");

    assertThat(halt.who()).isEqualTo("ann");
    assertThat(halt.reason()).isNull();
  }

  private static HaltCommand parse(String... args) {
    HaltCommand halt = new HaltCommand();
    new CommandLine(halt).parseArgs(args);
    return halt;
  }
}
