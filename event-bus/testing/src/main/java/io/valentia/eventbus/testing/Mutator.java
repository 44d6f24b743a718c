package io.valentia.eventbus.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Inputs for fuzzing the parsers that read outside input: real samples mutated (characters and
 * tokens inserted, deleted, replaced; slices repeated or cut; for JSON, nodes replaced by values of
 * another type, removed or nested deep), and random structure. Everything is drawn from the {@link
 * Random} given, so a seed reproduces an input. Used by the modules' fuzz tests (through jqwik,
 * which draws the seeds) and by the benchmark's long runs. Stateless; thread-safe when each thread
 * has its own {@code Random}.
 */
public final class Mutator {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Characters and values that parsers treat specially. */
  private static final String[] ODD =
      new String[] {
        "",
        "\u0000",
        "\u001d",
        "\r\n",
        "\n",
        "\t",
        "\\",
        "\"",
        "'",
        "\ud83d\ude00",
        "\ud800",
        "\uffff",
        "-1",
        "0",
        "-0",
        "1e999",
        "9223372036854775808",
        "-9223372036854775809",
        "2147483648",
        "NaN",
        "null",
        "true",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ":",
        ",",
        "=",
        "%",
        "%ZZ",
        "0x",
        "*",
        "**",
        "#",
        "|",
        "`",
        "<",
        ">",
        "&",
        "---",
        "- ",
        "&a",
        "*a",
        "!!",
        "~",
        "$",
        "${",
        "${x}",
        "\u00e9",
        "\u202e"
      };

  private Mutator() {}

  /**
   * {@code sample} with one to eight edits: characters from {@code tokens} or {@link #ODD} values
   * inserted or put in place of others, characters deleted, a slice repeated, the text cut.
   *
   * @param tokens words of the format (field names, keywords); may be empty
   */
  public static String mutate(String sample, Random random, List<String> tokens) {
    StringBuilder s = new StringBuilder(sample);
    int edits = 1 + random.nextInt(8);
    for (int e = 0; e < edits; e++) {
      int at = s.length() == 0 ? 0 : random.nextInt(s.length() + 1);
      switch (random.nextInt(10)) {
        case 0 -> {
          if (at < s.length()) {
            s.deleteCharAt(at);
          }
        }
        case 1 -> s.insert(at, odd(random));
        case 2 -> {
          if (!tokens.isEmpty()) {
            s.insert(at, tokens.get(random.nextInt(tokens.size())));
          }
        }
        case 3 -> {
          if (at < s.length()) {
            s.setCharAt(at, (char) random.nextInt(0x10000));
          }
        }
        case 4 -> {
          if (random.nextInt(4) == 0) {
            s.setLength(at);
          }
        }
        case 5 -> {
          // a slice, repeated
          int end = Math.min(s.length(), at + 1 + random.nextInt(40));
          String slice = s.substring(at, end);
          int times = 1 + random.nextInt(random.nextInt(40) == 0 ? 2000 : 4);
          s.insert(at, slice.repeat(times));
        }
        case 6 -> {
          // a range deleted
          int end = Math.min(s.length(), at + 1 + random.nextInt(30));
          s.delete(at, end);
        }
        case 7 -> {
          // a digit run replaced by an extreme number
          s.insert(at, random.nextBoolean() ? Long.toString(random.nextLong()) : "999999999999");
        }
        case 8 -> {
          // two halves swapped
          if (s.length() > 1) {
            String head = s.substring(0, at);
            String tail = s.substring(at);
            s.setLength(0);
            s.append(tail).append(head);
          }
        }
        default -> s.insert(at, (char) ('!' + random.nextInt(94)));
      }
      if (s.length() > 200_000) {
        s.setLength(200_000);
      }
    }
    return s.toString();
  }

  /**
   * A JSON {@code sample} changed in its structure: one to four nodes replaced by a value of
   * another type, removed, duplicated or wrapped many levels deep, then written out; a sample that
   * is not JSON is {@linkplain #mutate mutated} as text.
   */
  public static String mutateJson(String sample, Random random, List<String> tokens) {
    JsonNode tree;
    try {
      tree = EventCodec.MAPPER.readTree(sample);
    } catch (Exception notJson) {
      return mutate(sample, random, tokens);
    }
    if (tree == null || !tree.isContainerNode()) {
      return mutate(sample, random, tokens);
    }
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(tree, containers);
      JsonNode parent = containers.get(random.nextInt(containers.size()));
      edit(parent, random, tokens);
    }
    String text = write(tree);
    return random.nextInt(4) == 0 ? mutate(text, random, tokens) : text;
  }

  private static void collect(JsonNode node, List<JsonNode> containers) {
    if (node.isContainerNode()) {
      containers.add(node);
      node.forEach(child -> collect(child, containers));
    }
  }

  private static void edit(JsonNode parent, Random random, List<String> tokens) {
    if (parent instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      String name =
          names.isEmpty() || random.nextInt(5) == 0
              ? token(random, tokens)
              : names.get(random.nextInt(names.size()));
      switch (random.nextInt(4)) {
        case 0 -> object.remove(name);
        case 1 -> object.set(name, deep(random));
        default -> object.set(name, randomJson(random, 2, tokens));
      }
    } else if (parent instanceof ArrayNode array) {
      int at = array.isEmpty() ? 0 : random.nextInt(array.size());
      switch (random.nextInt(4)) {
        case 0 -> {
          if (!array.isEmpty()) {
            array.remove(at);
          }
        }
        case 1 -> {
          if (!array.isEmpty()) {
            JsonNode copy = array.get(at).deepCopy();
            for (int i = random.nextInt(50); i >= 0; i--) {
              array.add(copy.deepCopy());
            }
          }
        }
        default -> array.insert(at, randomJson(random, 2, tokens));
      }
    }
  }

  /**
   * {@code node}'s place taken by arrays or objects up to 1,500 levels deep around a null: deeper
   * than Jackson writes, so it stands as a marker that {@link #write} writes out as text.
   */
  private static JsonNode deep(Random random) {
    int levels = 1 + random.nextInt(random.nextInt(10) == 0 ? 1500 : 20);
    return NODES.textNode("\u0000deep" + (random.nextBoolean() ? "[" : "{") + levels + "\u0000");
  }

  private static final Pattern DEEP = Pattern.compile("\"\\\\u0000deep([\\[{])(\\d+)\\\\u0000\"");

  /** The text of {@code tree}, each {@link #deep} marker written out as its nesting. */
  private static String write(JsonNode tree) {
    Matcher m = DEEP.matcher(tree.toString());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int levels = Integer.parseInt(m.group(2));
      boolean arrays = m.group(1).equals("[");
      m.appendReplacement(
          out,
          Matcher.quoteReplacement(
              (arrays ? "[" : "{\"a\":").repeat(levels)
                  + "null"
                  + (arrays ? "]" : "}").repeat(levels)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A random JSON value, at most {@code depth} containers deep, with names from {@code tokens}. */
  public static JsonNode randomJson(Random random, int depth, List<String> tokens) {
    int kind = random.nextInt(depth <= 0 ? 6 : 9);
    return switch (kind) {
      case 0 -> NODES.textNode(token(random, tokens));
      case 1 -> NODES.textNode(odd(random));
      case 2 -> NODES.numberNode(random.nextInt());
      case 3 -> NODES.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
      case 4 -> NODES.booleanNode(random.nextBoolean());
      case 5 -> NODES.nullNode();
      case 6, 7 -> {
        ObjectNode object = NODES.objectNode();
        for (int i = random.nextInt(5); i > 0; i--) {
          object.set(token(random, tokens), randomJson(random, depth - 1, tokens));
        }
        yield object;
      }
      default -> {
        ArrayNode array = NODES.arrayNode();
        for (int i = random.nextInt(5); i > 0; i--) {
          array.add(randomJson(random, depth - 1, tokens));
        }
        yield array;
      }
    };
  }

  /**
   * Random text: characters from {@code alphabet} and the tokens, or any UTF-16 unit, at most
   * {@code maxLength} long.
   */
  public static String randomText(
      Random random, String alphabet, List<String> tokens, int maxLength) {
    int length = random.nextInt(maxLength + 1);
    StringBuilder s = new StringBuilder(length);
    while (s.length() < length) {
      int kind = random.nextInt(10);
      if (kind < 5 && !alphabet.isEmpty()) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      } else if (kind < 8 && !tokens.isEmpty()) {
        s.append(tokens.get(random.nextInt(tokens.size())));
      } else if (kind < 9) {
        s.append(odd(random));
      } else {
        s.append((char) random.nextInt(0x10000));
      }
    }
    return s.toString();
  }

  /** One of the texts that parsers treat specially. */
  public static String odd(Random random) {
    return ODD[random.nextInt(ODD.length)];
  }

  private static String token(Random random, List<String> tokens) {
    return tokens.isEmpty() || random.nextInt(6) == 0
        ? odd(random)
        : tokens.get(random.nextInt(tokens.size()));
  }

  /** The field names and string values of a JSON sample, as tokens for the mutator. */
  public static List<String> tokensOf(String json) {
    List<String> out = new ArrayList<>();
    try {
      collectTokens(EventCodec.MAPPER.readTree(json), out);
    } catch (Exception notJson) {
      // no tokens
    }
    return out;
  }

  private static void collectTokens(JsonNode node, List<String> out) {
    if (node == null) {
      return;
    }
    if (node.isObject()) {
      Iterator<String> names = node.fieldNames();
      names.forEachRemaining(out::add);
    }
    if (node.isTextual() && node.asText().length() < 40) {
      out.add(node.asText());
    }
    node.forEach(child -> collectTokens(child, out));
  }
}
