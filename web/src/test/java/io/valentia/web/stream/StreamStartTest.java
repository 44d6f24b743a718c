package io.valentia.web.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Where a stream starts: from=, Last-Event-ID and the cursor ids it sends")
class StreamStartTest {

  @Test
  @DisplayName("No position, end and now start at the end; beginning at the beginning.")
  void keywords() {
    assertThat(StreamStart.parse(null, null)).isEqualTo(new StreamStart.End());
    assertThat(StreamStart.parse(null, "end")).isEqualTo(new StreamStart.End());
    assertThat(StreamStart.parse(null, "now")).isEqualTo(new StreamStart.End());
    assertThat(StreamStart.parse(null, "beginning")).isEqualTo(new StreamStart.Beginning());
  }

  @Test
  @DisplayName("from= takes an offset, an RFC 3339 time or a cursor.")
  void offsetTimeCursor() {
    assertThat(StreamStart.parse(null, "42")).isEqualTo(new StreamStart.AtOffset(42));
    assertThat(StreamStart.parse(null, "2026-11-29T04:00:00+01:00"))
        .isEqualTo(new StreamStart.AtTime(Instant.parse("2026-11-29T03:00:00Z")));
    assertThat(StreamStart.parse(null, "3-17,0-5,1--1"))
        .isEqualTo(new StreamStart.Cursor(Map.of(3, 17L, 0, 5L, 1, -1L)));
  }

  @Test
  @DisplayName("Last-Event-ID wins over from=.")
  void lastEventIdWins() {
    assertThat(StreamStart.parse("2-9,0-1", "beginning"))
        .isEqualTo(new StreamStart.Cursor(Map.of(2, 9L, 0, 1L)));
  }

  @Test
  @DisplayName("Anything else is refused with a message that lists what is accepted.")
  void badPositions() {
    assertThatThrownBy(() -> StreamStart.parse(null, "yesterday"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from must be end, beginning, an offset");
    assertThatThrownBy(() -> StreamStart.parse("<script>", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Last-Event-ID must be a cursor");
  }

  @Test
  @DisplayName("A cursor id puts the event's own partition first and parses back to the same map.")
  void cursorRoundTrip() {
    Map<Integer, Long> seen = new TreeMap<>(Map.of(0, 4L, 1, -1L, 2, 10L));

    String id = EventStream.cursor(seen, 2);

    assertThat(id).isEqualTo("2-10,0-4,1--1");
    assertThat(StreamStart.parse(id, null)).isEqualTo(new StreamStart.Cursor(seen));
  }
}
