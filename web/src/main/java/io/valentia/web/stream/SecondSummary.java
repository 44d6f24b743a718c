package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the live page's charts need of one second of a filtered stream, counted over every matching
 * event (also those the sampled list leaves out): events by type, the frame-time histograms of
 * {@code frame.stats} events summed by rate and bucket width, and the last MTU result of each pair
 * of hosts. Sent as the data of an {@code event: summary} frame:
 *
 * <pre>{@code
 * {"second": 1796000000, "matched": 10000, "sent": 200,
 *  "types": {"io.valentia.probe.mtu.ping.v1": 5500, ...},
 *  "frames": [{"hz": 90, "bucketMicros": 500, "counts": [...]}],
 *  "mtu": [{"from": "osd-1", "peer": "osd-2", "ok": true, "size": 9000}]}
 * }</pre>
 *
 * Not thread-safe: used by the hub's thread only.
 */
final class SecondSummary {
  static final String FRAME_STATS = "io.valentia.probe.frame.stats.v1";
  static final String MTU_PING = "io.valentia.probe.mtu.ping.v1";
  static final String MTU_MISMATCH = "io.valentia.probe.mtu.mismatch.v1";
  private static final int MAX_TYPES = 200;
  private static final int MAX_PAIRS = 2000;

  private final long second;
  private long matched;
  private final Map<String, long[]> types = new LinkedHashMap<>();
  private final Map<String, long[]> frames = new LinkedHashMap<>();
  private final Map<String, JsonObject> mtu = new LinkedHashMap<>();

  SecondSummary(long second) {
    this.second = second;
  }

  long second() {
    return second;
  }

  long matched() {
    return matched;
  }

  void add(JsonNode event) {
    matched++;
    String type = event.path("type").asText("");
    long[] count = types.get(type);
    if (count == null) {
      if (types.size() >= MAX_TYPES) {
        type = "other";
        count = types.computeIfAbsent(type, t -> new long[1]);
      } else {
        count = new long[1];
        types.put(type, count);
      }
    }
    count[0]++;
    if (type.equals(FRAME_STATS)) {
      addFrames(event.path("data"));
    } else if (type.equals(MTU_PING) || type.equals(MTU_MISMATCH)) {
      addMtu(event, type);
    }
  }

  private void addFrames(JsonNode data) {
    JsonNode counts = data.path("histogram").path("counts");
    long bucket = data.path("histogram").path("bucketMicros").asLong(0);
    if (!counts.isArray() || bucket <= 0 || counts.size() > 1000) {
      return;
    }
    String key = data.path("hz").asText("") + "/" + bucket;
    long[] sums = frames.get(key);
    if (sums == null) {
      if (frames.size() >= 32) {
        return;
      }
      sums = new long[counts.size()];
      frames.put(key, sums);
    }
    if (sums.length < counts.size()) {
      sums = java.util.Arrays.copyOf(sums, counts.size());
      frames.put(key, sums);
    }
    for (int i = 0; i < counts.size(); i++) {
      sums[i] += counts.get(i).asLong(0);
    }
  }

  private void addMtu(JsonNode event, String type) {
    JsonNode data = event.path("data");
    String peer = data.path("peer").asText("");
    if (peer.isEmpty()) {
      return;
    }
    String subject = event.path("subject").asText("");
    String from = (subject.isEmpty() ? event.path("source").asText("?") : subject).split("->")[0];
    String key = from + "\u0000" + peer;
    if (!mtu.containsKey(key) && mtu.size() >= MAX_PAIRS) {
      return;
    }
    boolean ok = type.equals(MTU_PING) && data.path("ok").asBoolean(false);
    JsonNode size =
        type.equals(MTU_PING) ? data.path("sizeBytes") : data.path("smallestFailingBytes");
    JsonObject cell = new JsonObject().put("from", from).put("peer", peer).put("ok", ok);
    if (size.isNumber()) {
      cell.put("size", size.asLong());
    }
    mtu.remove(key); // the last result of the second wins
    mtu.put(key, cell);
  }

  /** The summary as sent; {@code sent}: how many of the matching events the list got. */
  JsonObject toJson(long sent) {
    JsonObject byType = new JsonObject();
    types.forEach((type, count) -> byType.put(type, count[0]));
    JsonArray histograms = new JsonArray();
    frames.forEach(
        (key, sums) -> {
          int slash = key.indexOf('/');
          JsonArray counts = new JsonArray();
          for (long c : sums) {
            counts.add(c);
          }
          String hz = key.substring(0, slash);
          histograms.add(
              new JsonObject()
                  .put("hz", hz.matches("\\d+(\\.\\d+)?") ? Double.parseDouble(hz) : null)
                  .put("bucketMicros", Long.parseLong(key.substring(slash + 1)))
                  .put("counts", counts));
        });
    return new JsonObject()
        .put("second", second)
        .put("matched", matched)
        .put("sent", Math.min(sent, matched))
        .put("types", byType)
        .put("frames", histograms)
        .put("mtu", new JsonArray(new java.util.ArrayList<>(mtu.values())));
  }
}
