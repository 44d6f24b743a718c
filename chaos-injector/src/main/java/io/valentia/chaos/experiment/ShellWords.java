package io.valentia.chaos.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the {@code arguments} of a process provider written as one string into words, the way
 * Chaos Toolkit does with {@code shlex.split}, simply: on whitespace, with single- or double-quoted
 * parts kept together (quotes removed, an empty quoted word kept). No escapes, no expansion: the
 * words go to the process as they are, without a shell.
 */
final class ShellWords {
  private ShellWords() {}

  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    char quote = 0;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          current.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        any = true;
      } else if (Character.isWhitespace(c)) {
        if (any || current.length() > 0) {
          out.add(current.toString());
          current.setLength(0);
          any = false;
        }
      } else {
        current.append(c);
      }
    }
    if (any || current.length() > 0) {
      out.add(current.toString());
    }
    return out;
  }
}
