package io.valentia.chaos.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each value of a JSON or YAML document starts, by path ({@code method[2].provider.url}), so
 * that problems can point at a line and column.
 */
final class SourceLocations {
  private final Map<String, String> byPath = new HashMap<>();

  private SourceLocations() {}

  static SourceLocations none() {
    return new SourceLocations();
  }

  /** Reads the whole document from {@code parser}; a syntax error ends the map where it occurs. */
  static SourceLocations read(JsonParser parser) {
    SourceLocations locations = new SourceLocations();
    Deque<Frame> stack = new ArrayDeque<>();
    try {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.FIELD_NAME) {
          stack.peek().field = parser.currentName();
          continue;
        }
        if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
          stack.pop();
          continue;
        }
        String path = stack.isEmpty() ? "" : stack.peek().childPath();
        locations.byPath.putIfAbsent(path, format(parser.currentTokenLocation()));
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
          stack.push(new Frame(path, token == JsonToken.START_ARRAY));
        }
      }
    } catch (IOException e) {
      // the loader reports the syntax error itself
    }
    return locations;
  }

  /** {@code line:column} of {@code path}, or of its nearest located ancestor; null when none. */
  String of(String path) {
    String p = path;
    while (true) {
      String found = byPath.get(p);
      if (found != null || p.isEmpty()) {
        return found;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut <= 0 ? "" : p.substring(0, cut);
    }
  }

  private static String format(JsonLocation location) {
    return location.getLineNr() + ":" + location.getColumnNr();
  }

  private static final class Frame {
    final String path;
    final boolean array;
    String field;
    int index = -1;

    Frame(String path, boolean array) {
      this.path = path;
      this.array = array;
    }

    String childPath() {
      if (array) {
        index++;
        return path + "[" + index + "]";
      }
      return path.isEmpty() ? field : path + "." + field;
    }
  }
}
