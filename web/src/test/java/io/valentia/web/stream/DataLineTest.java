package io.valentia.web.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An event as one SSE data line")
class DataLineTest {
  @Test
  @DisplayName("A compact record is sent as it was written")
  void compactRecordAsIs() throws Exception {
    byte[] value =
        "{\"id\":\"e1\",\"data\":{\"note\":\"two\\nlines\"}}".getBytes(StandardCharsets.UTF_8);
    JsonNode tree = EventCodec.MAPPER.readTree(value);

    assertThat(EventStream.oneLine(value, tree))
        .isEqualTo(new String(value, StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName(
      "A record with line breaks (pretty-printed by a raw producer) is written on one line")
  void prettyRecordOnOneLine() throws Exception {
    byte[] value = "{\r\n  \"id\": \"e1\",\n  \"n\": 1\n}".getBytes(StandardCharsets.UTF_8);
    JsonNode tree = EventCodec.MAPPER.readTree(value);

    String line = EventStream.oneLine(value, tree);

    assertThat(line).doesNotContain("\n").doesNotContain("\r");
    assertThat(EventCodec.MAPPER.readTree(line)).isEqualTo(tree);
  }
}
