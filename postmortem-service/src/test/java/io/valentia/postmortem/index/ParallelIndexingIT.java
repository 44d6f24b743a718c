package io.valentia.postmortem.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchPage;
import io.valentia.postmortem.search.SearchRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ParallelIndexingIT {
  private static final int EVENTS = 10_000;

  @Test
  @DisplayName(
      "Four indexing threads index every event of every partition exactly once, and the commit"
          + " carries offsets past each partition's last event")
  void everyEventOnceWithCommittedOffsets() throws Exception {
    String run = "parallel-" + UUID.randomUUID();
    Map<TopicPartition, Long> lastOffsets = publish(run);
    assertThat(lastOffsets)
        .as("the events are spread over several partitions")
        .hasSizeGreaterThan(1);
    Path dir = Files.createTempDirectory("valentia-parallel-index");
    try {
      try (EventIndex index = EventIndex.open(dir, new EventAnalyzer())) {
        try (KafkaIndexer indexer =
            new KafkaIndexer(
                "parallel",
                KafkaTestSupport.settings(),
                List.of(Topics.EVENTS),
                index,
                RecordMapper.EVENTS,
                new KafkaIndexer.Settings(Duration.ofMillis(200), Duration.ofSeconds(1), 4))) {
          indexer.start();
          IndexSearch search = IndexSearch.events(index);
          await()
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> search.search(runQuery(run, 1)).total() >= EVENTS);
          assertThat(indexer.failure()).isEmpty();
          assertThat(allIds(search, run)).hasSize(EVENTS);
        }
        Map<TopicPartition, Long> committed = index.committedOffsets();
        lastOffsets.forEach(
            (tp, last) ->
                assertThat(committed.get(tp)).as("committed offset of " + tp).isGreaterThan(last));
      }
      try (EventIndex reopened = EventIndex.open(dir, new EventAnalyzer())) {
        assertThat(allIds(IndexSearch.events(reopened), run))
            .as("what was searchable was also committed")
            .hasSize(EVENTS);
      }
    } finally {
      KafkaTestSupport.deleteRecursively(dir);
    }
  }

  private static SearchRequest runQuery(String run, int size) {
    return new SearchRequest("experimentid:" + run, null, null, List.of(), size, null, null);
  }

  private static Set<String> allIds(IndexSearch search, String run) {
    List<String> all = new ArrayList<>();
    SearchRequest request = runQuery(run, 1000);
    while (request != null) {
      SearchPage page = search.search(request);
      page.hits().forEach(h -> all.add(h.id()));
      request = page.nextCursor() == null ? null : request.after(page.nextCursor());
    }
    Set<String> unique = new HashSet<>(all);
    assertThat(unique).as("no event is listed twice").hasSize(all.size());
    return unique;
  }

  private static Map<TopicPartition, Long> publish(String run) throws Exception {
    Instant t0 = Instant.parse("2026-11-29T06:00:00Z");
    EventCodec codec = EventCodec.instance();
    List<Future<RecordMetadata>> sent = new ArrayList<>(EVENTS);
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.rawProducer()) {
      for (int i = 0; i < EVENTS; i++) {
        CloudEvent event =
            CloudEvent.of(new MtuPing("10.0.1." + i % 32 + ":7", 8972, true, 400L, "both", "udp"))
                .source("/probes/mtu/osd-" + i % 32)
                .subject("osd-" + i % 32 + "->osd-" + (i + 1) % 32)
                .experimentId(run)
                .time(t0.plusMillis(i))
                .build();
        sent.add(
            producer.send(
                new ProducerRecord<>(
                    Topics.EVENTS,
                    Topics.keyOf(event).getBytes(StandardCharsets.UTF_8),
                    codec.encode(event))));
      }
      producer.flush();
    }
    Map<TopicPartition, Long> last = new HashMap<>();
    for (Future<RecordMetadata> future : sent) {
      RecordMetadata metadata = future.get();
      last.merge(
          new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset(), Math::max);
    }
    return last;
  }
}
