package io.valentia.chaos.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.state.ControlState;
import io.valentia.chaos.state.HaltState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.payload.ChaosHalt;
import io.valentia.eventbus.payload.ExperimentScheduled;
import io.valentia.eventbus.security.PlatformKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The seal of a command")
class ControlSealTest {
  private final List<String> refused = new ArrayList<>();
  private final ControlSeal seal =
      new ControlSeal(
          PlatformKey.generate(),
          (topic, key, value, action, verdict) -> refused.add(key + ": " + verdict.refusal()));
  private final ControlSeal.Sender operator = new ControlSeal.Sender("alice", "operator");

  @Test
  @DisplayName(
      "A sealed schedule entry is accepted after a round trip through JSON, as Kafka stores it")
  void sealedEntrySurvivesJson() throws Exception {
    String key = ControlState.scheduleKey("nightly");
    ControlState sealed =
        seal.seal(Topics.STATE_SCHEDULES, key, ControlState.of(schedule()), operator);
    ControlState read =
        EventCodec.MAPPER.readValue(
            EventCodec.MAPPER.writeValueAsBytes(sealed), ControlState.class);

    ControlSeal.Verdict verdict =
        seal.check(Topics.STATE_SCHEDULES, key, read, ControlSeal.Action.SCHEDULE);

    assertThat(verdict.accepted()).as(verdict.refusal()).isTrue();
    assertThat(verdict.sender()).isEqualTo(operator);
    assertThat(refused).isEmpty();
  }

  @Test
  @DisplayName(
      "An entry that is unsealed, changed after sealing, moved to another key, or sealed for a viewer is refused and reported")
  void tamperedEntriesAreRefused() throws Exception {
    String key = ControlState.scheduleKey("nightly");
    ControlState sealed =
        seal.seal(Topics.STATE_SCHEDULES, key, ControlState.of(schedule()), operator);
    ControlState changed =
        new ControlState(
            new ExperimentScheduled(
                "Nightly", "nightly", "every 1m", null, schedule().experiment(), null, null),
            null,
            null,
            sealed.seal());
    ControlState viewer =
        seal.seal(
            Topics.STATE_SCHEDULES,
            key,
            ControlState.of(schedule()),
            new ControlSeal.Sender("vic", "viewer"));
    ControlState claimsOperator =
        viewer.sealed(new ControlState.Seal("vic", "operator", viewer.seal().signature()));

    assertThat(check(key, ControlState.of(schedule()))).startsWith("unsigned");
    assertThat(check(key, changed)).startsWith("forged");
    assertThat(check(ControlState.scheduleKey("other"), sealed)).startsWith("forged");
    assertThat(check(key, viewer)).startsWith("under-privileged");
    assertThat(check(key, claimsOperator)).startsWith("forged");
    assertThat(refused).hasSize(5);
  }

  @Test
  @DisplayName(
      "A sealed halt record is accepted; its value or sender changed, or no seal at all, is refused")
  void haltRecords() {
    CloudEvent halt =
        CloudEvent.of(new ChaosHalt("alice", "game day", false, 0))
            .source("/chaos/test")
            .subject(ControlState.HALT)
            .build();
    ProducerRecord<byte[], byte[]> record =
        seal.record(Topics.CONTROL, ControlState.HALT, halt, operator);

    assertThat(seal.check(read(record, null, null), ControlSeal.Action.HALT).accepted()).isTrue();
    assertThat(
            seal.check(
                    read(record, null, "{\"forged\": true}".getBytes(StandardCharsets.UTF_8)),
                    ControlSeal.Action.HALT)
                .refusal())
        .startsWith("forged");
    assertThat(seal.check(read(record, "admin", null), ControlSeal.Action.HALT).refusal())
        .startsWith("forged");
    assertThat(
            seal.check(
                    new LogRecord(Topics.CONTROL, 0, 1, 0, record.key(), record.value(), Map.of()),
                    ControlSeal.Action.HALT)
                .refusal())
        .startsWith("unsigned");
  }

  @Test
  @DisplayName("The halt switch's entry is sealed and checked like a schedule")
  void haltEntry() {
    ControlState entry =
        seal.seal(
            Topics.STATE_SCHEDULES,
            ControlState.HALT,
            ControlState.of(new HaltState("id-1", true, "alice", "why", Instant.now())),
            operator);
    assertThat(
            seal.check(Topics.STATE_SCHEDULES, ControlState.HALT, entry, ControlSeal.Action.HALT)
                .accepted())
        .isTrue();
  }

  private String check(String key, ControlState state) {
    return seal.check(Topics.STATE_SCHEDULES, key, state, ControlSeal.Action.SCHEDULE).refusal();
  }

  /** {@code record} as a reader sees it, with its role header or value replaced when given. */
  private static LogRecord read(ProducerRecord<byte[], byte[]> record, String role, byte[] value) {
    Map<String, byte[]> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), header.value());
    }
    if (role != null) {
      headers.put(ControlSeal.ROLE_HEADER, role.getBytes(StandardCharsets.UTF_8));
    }
    return new LogRecord(
        record.topic(), 0, 0, 0, record.key(), value != null ? value : record.value(), headers);
  }

  private static ExperimentScheduled schedule() throws Exception {
    return new ExperimentScheduled(
        "Nightly",
        "nightly",
        "0 3 * * *",
        Instant.parse("2026-12-08T03:00:00Z"),
        EventCodec.MAPPER.readTree(
            "{\"title\": \"Nightly\", \"method\": [{\"type\": \"action\", \"name\": \"x\","
                + " \"provider\": {\"type\": \"process\", \"path\": \"/bin/echo\"}}],"
                + " \"n\": 1.5, \"big\": 12345678901}"),
        EventCodec.MAPPER.readTree("{\"zone\": \"Europe/Dublin\"}"),
        null);
  }
}
