package io.valentia.web.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A second's summary counts what the live page's charts draw")
class SecondSummaryTest {

  @Test
  @DisplayName("Events are counted by type, and sent never exceeds what matched.")
  void countsByType() throws Exception {
    SecondSummary summary = new SecondSummary(1_796_000_000L);
    for (int i = 0; i < 5; i++) {
      summary.add(event("{\"type\":\"a.v1\",\"subject\":\"x\"}"));
    }
    summary.add(event("{\"type\":\"b.v1\",\"subject\":\"x\"}"));

    JsonObject json = summary.toJson(10);

    assertThat(json.getLong("second")).isEqualTo(1_796_000_000L);
    assertThat(json.getLong("matched")).isEqualTo(6);
    assertThat(json.getLong("sent")).isEqualTo(6);
    assertThat(json.getJsonObject("types").getMap())
        .containsEntry("a.v1", 5L)
        .containsEntry("b.v1", 1L);
  }

  @Test
  @DisplayName(
      "Frame-time histograms of the same rate and bucket width are summed bucket by bucket.")
  void sumsHistograms() throws Exception {
    SecondSummary summary = new SecondSummary(1);
    summary.add(stats(90, 500, "[1, 2, 3]"));
    summary.add(stats(90, 500, "[10, 0, 0, 4]"));
    summary.add(stats(120, 500, "[7]"));

    JsonArray frames = summary.toJson(0).getJsonArray("frames");

    assertThat(frames).hasSize(2);
    JsonObject at90 = frames.getJsonObject(0);
    assertThat(at90.getDouble("hz")).isEqualTo(90.0);
    assertThat(at90.getLong("bucketMicros")).isEqualTo(500);
    assertThat(at90.getJsonArray("counts").getList()).containsExactly(11L, 2L, 3L, 4L);
    assertThat(frames.getJsonObject(1).getJsonArray("counts").getList()).containsExactly(7L);
  }

  @Test
  @DisplayName("The MTU matrix keeps the last result of each pair within the second.")
  void lastMtuResultWins() throws Exception {
    SecondSummary summary = new SecondSummary(1);
    summary.add(
        event(
            "{\"type\":\"io.valentia.probe.mtu.ping.v1\",\"subject\":\"osd-1->osd-2\","
                + "\"data\":{\"peer\":\"osd-2\",\"ok\":true,\"sizeBytes\":8972}}"));
    summary.add(
        event(
            "{\"type\":\"io.valentia.probe.mtu.mismatch.v1\",\"subject\":\"osd-1->osd-2\","
                + "\"data\":{\"peer\":\"osd-2\",\"smallestFailingBytes\":8000}}"));
    summary.add(
        event(
            "{\"type\":\"io.valentia.probe.mtu.ping.v1\",\"subject\":\"osd-3->osd-1\","
                + "\"data\":{\"peer\":\"osd-1\",\"ok\":true,\"sizeBytes\":1472}}"));

    JsonArray mtu = summary.toJson(0).getJsonArray("mtu");

    assertThat(mtu).hasSize(2);
    JsonObject failing = find(mtu, "osd-1", "osd-2");
    assertThat(failing.getBoolean("ok")).isFalse();
    assertThat(failing.getLong("size")).isEqualTo(8000);
    assertThat(find(mtu, "osd-3", "osd-1").getBoolean("ok")).isTrue();
  }

  private static JsonObject find(JsonArray cells, String from, String peer) {
    for (int i = 0; i < cells.size(); i++) {
      JsonObject cell = cells.getJsonObject(i);
      if (cell.getString("from").equals(from) && cell.getString("peer").equals(peer)) {
        return cell;
      }
    }
    throw new AssertionError("no cell " + from + " -> " + peer + " in " + cells);
  }

  private static JsonNode stats(int hz, int bucket, String counts) throws Exception {
    return event(
        "{\"type\":\"io.valentia.probe.frame.stats.v1\",\"subject\":\"hmd-1\",\"data\":{\"hz\":"
            + hz
            + ",\"histogram\":{\"bucketMicros\":"
            + bucket
            + ",\"counts\":"
            + counts
            + "}}}");
  }

  private static JsonNode event(String json) throws Exception {
    return EventCodec.MAPPER.readTree(json);
  }
}
