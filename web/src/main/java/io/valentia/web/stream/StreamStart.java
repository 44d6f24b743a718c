package io.valentia.web.stream;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a stream starts reading, from {@code Last-Event-ID} (which wins) or {@code from=}:
 *
 * <ul>
 *   <li>{@code end} (the default; also {@code now}): only events that arrive from now on;
 *   <li>{@code beginning}: the whole log;
 *   <li>an RFC 3339 time, e.g. {@code 2026-11-29T04:00:00Z}: events stored at or after it;
 *   <li>an offset {@code N}: offset N of every partition (clamped to what the log still holds);
 *   <li>a cursor {@code P-O[,P-O...]}, what the stream sends as each event's {@code id}: for each
 *       partition the last offset already seen, so the stream resumes right after it; partitions
 *       the cursor does not name start at their end.
 * </ul>
 */
public sealed interface StreamStart {
  /** A cursor: partition to the last offset already seen (-1 when none). */
  Pattern CURSOR = Pattern.compile("\\d{1,5}-(-1|\\d{1,19})(,\\d{1,5}-(-1|\\d{1,19}))*");

  record Beginning() implements StreamStart {}

  record End() implements StreamStart {}

  record AtTime(Instant time) implements StreamStart {}

  record AtOffset(long offset) implements StreamStart {}

  record Cursor(Map<Integer, Long> lastSeen) implements StreamStart {
    public Cursor {
      lastSeen = Map.copyOf(lastSeen);
    }
  }

  /**
   * Reads a start position.
   *
   * @param lastEventId the {@code Last-Event-ID} header, or null
   * @param from the {@code from} parameter, or null
   * @throws IllegalArgumentException naming what is accepted
   */
  static StreamStart parse(String lastEventId, String from) {
    if (lastEventId != null && !lastEventId.isBlank()) {
      if (!CURSOR.matcher(lastEventId.trim()).matches()) {
        throw new IllegalArgumentException(
            "Last-Event-ID must be a cursor the stream sent (P-O,P-O,...), found \""
                + lastEventId
                + "\"");
      }
      return cursor(lastEventId.trim());
    }
    if (from == null || from.isBlank() || from.equals("end") || from.equals("now")) {
      return new End();
    }
    String value = from.trim();
    if (value.equals("beginning")) {
      return new Beginning();
    }
    if (value.matches("\\d{1,19}")) {
      return new AtOffset(Long.parseLong(value));
    }
    if (CURSOR.matcher(value).matches()) {
      return cursor(value);
    }
    try {
      return new AtTime(OffsetDateTime.parse(value).toInstant());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "from must be end, beginning, an offset, a cursor P-O[,P-O...] or an RFC 3339 time"
              + " (2026-11-29T04:00:00Z); found \""
              + from
              + "\"");
    }
  }

  private static Cursor cursor(String value) {
    Map<Integer, Long> positions = new LinkedHashMap<>();
    for (String pair : value.split(",")) {
      int dash = pair.indexOf('-');
      positions.put(
          Integer.parseInt(pair.substring(0, dash)), Long.parseLong(pair.substring(dash + 1)));
    }
    return new Cursor(positions);
  }
}
