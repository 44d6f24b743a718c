package io.valentia.notifications.silence;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.EventCodec;
import io.valentia.notifications.route.Matcher;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SilencesTest {
  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

  private static Silence silence(String id, String matchers, Instant start, Instant end) {
    return new Silence(
        id, Matcher.parseList(matchers), start, end, "alice", "db maintenance", start);
  }

  @Test
  @DisplayName("A valid silence has no problems; an invalid one lists each")
  void validate() {
    assertThat(silence("s1", "host=~\"db-.*\"", T0, T0.plusSeconds(3600)).validate()).isEmpty();

    Silence bad = new Silence("", List.of(), T0, T0, " ", null, null);
    assertThat(bad.validate())
        .containsExactly(
            "id: must not be empty",
            "matchers: at least one matcher is required",
            "endsAt: must be after startsAt",
            "createdBy: must not be empty",
            "comment: must not be empty");
    assertThat(silence("s2", "host=~\".*\", team=\"\"", T0, T0.plusSeconds(60)).validate())
        .containsExactly(
            "matchers: at least one matcher must not match the empty string (else it would silence"
                + " every alert)");
    assertThat(silence("s3", "host!=\"db-1\"", T0, T0.plusSeconds(60)).validate())
        .as("as Alertmanager, a negative matcher never counts as matching the empty string")
        .isEmpty();
  }

  @Test
  @DisplayName(
      "A silence is pending before its start, active until its end, expired from its end on")
  void states() {
    Silence s = silence("s1", "host=\"db-1\"", T0, T0.plusSeconds(60));
    assertThat(s.state(T0.minusMillis(1))).isEqualTo(Silence.State.PENDING);
    assertThat(s.state(T0)).isEqualTo(Silence.State.ACTIVE);
    assertThat(s.state(T0.plusSeconds(59))).isEqualTo(Silence.State.ACTIVE);
    assertThat(s.state(T0.plusSeconds(60))).isEqualTo(Silence.State.EXPIRED);
  }

  @Test
  @DisplayName("Only active silences whose every matcher matches (regex anchored) silence an alert")
  void silencing() {
    Silences silences = new Silences();
    silences.put(
        silence("db", "host=~\"db-.*\", severity!=\"critical\"", T0, T0.plusSeconds(3600)));
    silences.put(silence("later", "host=~\"db-.*\"", T0.plusSeconds(600), T0.plusSeconds(3600)));

    Map<String, String> dbWarning = Map.of("host", "db-1", "severity", "warning");
    assertThat(silences.silencing(dbWarning, T0)).extracting(Silence::id).containsExactly("db");
    assertThat(silences.silencing(Map.of("host", "db-1", "severity", "critical"), T0)).isEmpty();
    assertThat(silences.silencing(Map.of("host", "xdb-1", "severity", "warning"), T0)).isEmpty();
    assertThat(silences.silencing(dbWarning, T0.plusSeconds(600)))
        .extracting(Silence::id)
        .containsExactly("db", "later");
    assertThat(silences.silencing(dbWarning, T0.plusSeconds(3600))).isEmpty();
  }

  @Test
  @DisplayName(
      "Expiring ends an active silence now, a pending one before it starts, and leaves an expired one alone")
  void expire() {
    Silences silences = new Silences();
    silences.put(silence("active", "host=\"db-1\"", T0, T0.plusSeconds(3600)));
    silences.put(silence("pending", "host=\"db-1\"", T0.plusSeconds(600), T0.plusSeconds(3600)));
    silences.put(silence("old", "host=\"db-1\"", T0.minusSeconds(600), T0.minusSeconds(60)));
    Instant now = T0.plusSeconds(10);

    Silence active = silences.expire("active", now).orElseThrow();
    assertThat(active.endsAt()).isEqualTo(now);
    assertThat(active.updatedAt()).isEqualTo(now);
    assertThat(active.state(now)).isEqualTo(Silence.State.EXPIRED);
    Silence pending = silences.expire("pending", now).orElseThrow();
    assertThat(pending.startsAt()).isEqualTo(now);
    assertThat(pending.endsAt()).isEqualTo(now);
    assertThat(silences.expire("old", now).orElseThrow().endsAt()).isEqualTo(T0.minusSeconds(60));
    assertThat(silences.expire("nope", now)).isEmpty();

    assertThat(silences.silencing(Map.of("host", "db-1"), now)).isEmpty();
    assertThat(silences.get("active")).contains(active);
    assertThat(silences.list(Silence.State.EXPIRED, now)).hasSize(3);
    assertThat(silences.forgetExpiredBefore(T0)).extracting(Silence::id).containsExactly("old");
    assertThat(silences.list()).extracting(Silence::id).containsExactly("active", "pending");
  }

  @Test
  @DisplayName("A silence writes to JSON with its matchers as text and reads back equal")
  void json() throws Exception {
    Silence s = silence("s1", "host=~\"db-.*\", severity!=\"critical\"", T0, T0.plusSeconds(3600));
    String json = EventCodec.MAPPER.writeValueAsString(s);
    assertThat(json)
        .contains("\"matchers\":[\"host=~\\\"db-.*\\\"\",\"severity!=\\\"critical\\\"\"]")
        .contains("\"startsAt\":\"2026-12-07T06:00:00Z\"")
        .doesNotContain("state");
    assertThat(EventCodec.MAPPER.readValue(json, Silence.class)).isEqualTo(s);
  }
}
