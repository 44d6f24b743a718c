package io.valentia.web.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Attribute comparisons evaluated without the CEL interpreter")
class AttributeFilterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final List<String> FAST =
      List.of(
          "subject == 'hmd-3'",
          "subject == \"hmd-3\"",
          "'hmd-3' == subject",
          "subject != 'hmd-3'",
          "type == 'io.valentia.probe.mtu.mismatch.v1' && subject == 'osd-12'",
          "subject == 'osd-12' || subject == 'osd-7'",
          "!(subject == 'osd-12')",
          "incidentid == 'inc-1' || subject == 'osd-7'",
          "incidentid == 'inc-1' && subject == 'nope'",
          "!(incidentid == 'inc-1') || type == 'x'",
          "source == '/probes/mtu' && (subject == 'osd-12' || !(type != 'x'))");

  private static final List<String> INTERPRETED =
      List.of(
          "data.peer == 'osd-7'",
          "subject.startsWith('osd')",
          "severity >= 'warning'",
          "subject in ['osd-12', 'osd-7']",
          "has(event.incidentid)");

  private static final List<String> EVENTS =
      List.of(
          "{\"id\":\"1\",\"type\":\"io.valentia.probe.mtu.mismatch.v1\",\"source\":\"/probes/mtu\","
              + "\"subject\":\"osd-12\",\"data\":{\"peer\":\"osd-7\"}}",
          "{\"id\":\"2\",\"type\":\"x\",\"source\":\"/probes/mtu\",\"subject\":\"osd-7\"}",
          "{\"id\":\"3\",\"type\":\"x\",\"source\":\"/other\",\"subject\":\"hmd-3\","
              + "\"incidentid\":\"inc-1\"}",
          "{\"id\":\"4\",\"type\":\"x\",\"source\":\"/other\"}",
          "{\"id\":\"5\",\"type\":\"io.valentia.probe.mtu.mismatch.v1\",\"subject\":42}",
          "{\"id\":\"6\",\"type\":\"x\",\"subject\":null,\"incidentid\":\"inc-2\"}");

  @Test
  @DisplayName(
      "gives the interpreter's answer on every event, absent and non-string attributes included")
  void sameAnswerAsTheInterpreter() throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String event : EVENTS) {
      events.add(JSON.readTree(event));
    }
    int passed = 0;
    for (String expression : FAST) {
      EventFilter filter = EventFilter.compile(expression);
      assertThat(filter.fast()).as(expression).isTrue();
      for (JsonNode event : events) {
        assertThat(filter.test(event))
            .as("%s on %s", expression, event)
            .isEqualTo(filter.testInterpreted(event));
        passed += filter.test(event) ? 1 : 0;
      }
    }
    assertThat(passed).as("some events pass, some do not").isBetween(1, FAST.size() * 6 - 1);
  }

  @Test
  @DisplayName("leaves every other shape to the interpreter")
  void otherShapesAreInterpreted() {
    for (String expression : INTERPRETED) {
      assertThat(EventFilter.compile(expression).fast()).as(expression).isFalse();
    }
  }
}
