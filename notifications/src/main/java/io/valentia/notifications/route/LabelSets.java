package io.valentia.notifications.route;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Label sets printed as Prometheus prints them ({@code model.LabelSet.String()}): {@code {a="1",
 * b="2"}}, names sorted, values quoted as Go's {@code strconv.Quote}. Group keys are built with it,
 * so they read as Alertmanager's.
 */
public final class LabelSets {
  private LabelSets() {}

  /** {@code {name="value", ...}} with names in order. */
  public static String format(Map<String, String> labels) {
    StringBuilder b = new StringBuilder("{");
    Iterator<Map.Entry<String, String>> it = new TreeMap<>(labels).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, String> e = it.next();
      b.append(e.getKey()).append('=');
      quote(b, e.getValue());
      if (it.hasNext()) {
        b.append(", ");
      }
    }
    return b.append('}').toString();
  }

  /** Go's {@code strconv.Quote}: double quotes, escapes for quote, backslash and control runes. */
  static void quote(StringBuilder b, String s) {
    b.append('"');
    s.codePoints()
        .forEach(
            cp -> {
              switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case 0x07 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 0x0b -> b.append("\\v");
                default -> {
                  if (cp < 0x20 || cp == 0x7f) {
                    b.append(String.format("\\x%02x", cp));
                  } else if (Character.isISOControl(cp)
                      || Character.getType(cp) == Character.UNASSIGNED
                      || Character.getType(cp) == Character.FORMAT) {
                    b.append(
                        cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                  } else {
                    b.appendCodePoint(cp);
                  }
                }
              }
            });
    b.append('"');
  }
}
