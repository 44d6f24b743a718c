package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

  @Test
  @DisplayName(
      "A command line splits on whitespace, quoted parts stay one word without their quotes, and an empty quoted word is kept")
  void splitsLikeShlex() {
    assertThat(ShellWords.split("  -c 'echo  two words'\t\"x y\" '' last "))
        .containsExactly("-c", "echo  two words", "x y", "", "last");
  }

  @Test
  @DisplayName(
      "Quotes inside a word join the parts around them, and the other kind of quote is kept")
  void quotesInsideAWord() {
    assertThat(ShellWords.split("--name='it\"s' a\"b c\"d"))
        .containsExactly("--name=it\"s", "ab cd");
  }

  @Test
  @DisplayName("A blank line has no words")
  void blank() {
    assertThat(ShellWords.split(" \t ")).isEmpty();
  }
}
