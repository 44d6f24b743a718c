package io.valentia.eventbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.eventbus.testing.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("State tables and the topic reader on a real Kafka broker")
class StateTableIT {

  /** A value as a service would keep it. */
  record Entry(String name, int count) {}

  @Test
  @DisplayName(
      "A write is read back by its writer and by another process's table, a tombstone ends it, and a new table restores the latest values")
  void writesAreSharedAndRestored() throws Exception {
    String key = "k-" + UUID.randomUUID();
    try (StateTable<Entry> writer =
            StateTable.open(KafkaTestSupport.settings(), Topics.STATE_MUTES, Entry.class);
        StateTable<Entry> other =
            StateTable.open(KafkaTestSupport.settings(), Topics.STATE_MUTES, Entry.class)) {
      writer.restored().get(30, TimeUnit.SECONDS);
      other.restored().get(30, TimeUnit.SECONDS);
      List<String> seen = new ArrayList<>();
      other.listen(
          (k, before, after) -> {
            if (k.equals(key)) {
              seen.add(
                  (before == null ? "-" : before.count())
                      + ">"
                      + (after == null ? "-" : after.count()));
            }
          });

      writer.put(key, new Entry("a", 1)).get(10, TimeUnit.SECONDS);
      assertThat(writer.get(key)).contains(new Entry("a", 1)); // read-your-writes
      writer.put(key, new Entry("a", 2)).get(10, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> other.get(key).map(Entry::count).orElse(0) == 2);

      try (StateTable<Entry> restarted =
          StateTable.open(KafkaTestSupport.settings(), Topics.STATE_MUTES, Entry.class)) {
        restarted.restored().get(30, TimeUnit.SECONDS);
        assertThat(restarted.get(key)).contains(new Entry("a", 2));
        assertThat(restarted.progress().restored()).isTrue();
      }

      writer.remove(key).get(10, TimeUnit.SECONDS);
      assertThat(writer.get(key)).isEmpty();
      await().atMost(Duration.ofSeconds(5)).until(() -> other.get(key).isEmpty());
      assertThat(seen).containsExactly("->1", "1>2", "2>-");
    }
  }

  @Test
  @DisplayName("A record that is not the table's value type is skipped and the table carries on")
  void skipsUndecodableRecords() throws Exception {
    String bad = "bad-" + UUID.randomUUID();
    String good = "good-" + UUID.randomUUID();
    try (KafkaProducer<byte[], byte[]> raw = KafkaTestSupport.rawProducer()) {
      raw.send(new ProducerRecord<>(Topics.STATE_MUTES, bytes(bad), bytes("not json"))).get();
      raw.send(
              new ProducerRecord<>(
                  Topics.STATE_MUTES, bytes(good), bytes("{\"name\":\"b\",\"count\":3}")))
          .get();
    }
    try (StateTable<Entry> table =
        StateTable.open(KafkaTestSupport.settings(), Topics.STATE_MUTES, Entry.class)) {
      table.restored().get(30, TimeUnit.SECONDS);
      assertThat(table.get(bad)).isEmpty();
      assertThat(table.get(good)).contains(new Entry("b", 3));
    }
  }

  @Test
  @DisplayName(
      "The topic reader reads from the beginning, a time and given offsets, and an empty seek moves nothing")
  void readerSeeks() throws Exception {
    String subject = "reader-" + UUID.randomUUID();
    Instant before = Instant.now().minusMillis(5);
    try (KafkaProducer<byte[], byte[]> raw = KafkaTestSupport.rawProducer()) {
      for (int i = 0; i < 5; i++) {
        CloudEvent event =
            SampleEvents.event(io.valentia.eventbus.EventType.PROBE_MTU_MISMATCH, subject);
        raw.send(
                new ProducerRecord<>(
                    Topics.EVENTS, 0, bytes(subject), EventCodec.instance().encode(event)))
            .get();
      }
    }
    try (TopicReader reader =
        TopicReader.open(KafkaTestSupport.settings(), "reader-it", Topics.EVENTS)) {
      Map<Integer, Long> atEnd = reader.positions();
      reader.seek(Map.of());
      assertThat(reader.positions()).isEqualTo(atEnd);

      reader.seekToTime(before);
      List<LogRecord> mine = new ArrayList<>();
      reader.readToEnd(r -> subject.equals(r.keyString()), mine::add, null, Duration.ofSeconds(30));
      assertThat(mine).hasSize(5);
      assertThat(mine).allMatch(r -> r.partition() == 0);

      reader.seek(Map.of(0, mine.get(3).offset()));
      List<LogRecord> tail = new ArrayList<>();
      reader.readToEnd(r -> subject.equals(r.keyString()), tail::add, null, Duration.ofSeconds(30));
      assertThat(tail)
          .extracting(LogRecord::offset)
          .containsExactly(mine.get(3).offset(), mine.get(4).offset());
    }
  }

  @Test
  @DisplayName("A migration runs once: the second call for the same table reads nothing")
  void migrationRunsOnce() {
    String table = "valentia.state.test-" + UUID.randomUUID();
    try (StateTables tables = new StateTables(KafkaTestSupport.settings())) {
      List<String> lines = new ArrayList<>();
      StateMigration migration = new StateMigration(tables, lines::add);
      int[] folded = {0};
      boolean first = migration.once(table, Topics.EVENTS, Set.of(), r -> folded[0]++, () -> {});
      int afterFirst = folded[0];
      boolean second = migration.once(table, Topics.EVENTS, Set.of(), r -> folded[0]++, () -> {});
      assertThat(first).isTrue();
      assertThat(second).isFalse();
      assertThat(folded[0]).isEqualTo(afterFirst);
      assertThat(lines).anyMatch(l -> l.startsWith("built " + table));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
