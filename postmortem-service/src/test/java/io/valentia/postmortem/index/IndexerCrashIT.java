package io.valentia.postmortem.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchPage;
import io.valentia.postmortem.search.SearchRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IndexerCrashIT {
  private static final int EVENTS = Integer.getInteger("valentia.crash.events", 100_000);
  private static final int KILLS = 3;

  private Path dir;

  @BeforeEach
  void createDir() throws Exception {
    dir = Files.createTempDirectory("valentia-indexer-crash");
  }

  @AfterEach
  void deleteDir() {
    KafkaTestSupport.deleteRecursively(dir);
  }

  @Test
  @DisplayName(
      "An indexer process killed at random points while 100k events are published indexes every"
          + " event exactly once after restart, and a rebuild from the log gives the same results")
  void killedIndexerLosesAndDuplicatesNothing() throws Exception {
    String run = "crash-" + UUID.randomUUID();
    List<String> ids = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    CompletableFuture<Void> published = CompletableFuture.runAsync(() -> publish(run, ids));

    Random random = new Random();
    Path index = dir.resolve("index");
    for (int kill = 0; kill < KILLS; kill++) {
      Process process = startIndexerProcess(index);
      AtomicLong progress = follow(process);
      long killAt = 1 + random.nextInt(EVENTS / 5);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> progress.get() >= killAt || !process.isAlive());
      assertThat(process.isAlive()).as("the indexer process runs until it is killed").isTrue();
      process.destroyForcibly().waitFor();
    }
    published.get();
    // a producer retry or a republishing client writes some events twice
    publish(run, ids.subList(0, 1_000));

    try (EventIndex recovered = EventIndex.open(index, new EventAnalyzer());
        KafkaIndexer indexer = startIndexer(recovered)) {
      IndexSearch search = IndexSearch.events(recovered);
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> search.search(runQuery(run, 1)).total() >= EVENTS);
      assertThat(indexer.failure()).isEmpty();
      Set<String> indexed = allIds(search, run);
      assertThat(indexed).hasSize(EVENTS);
      assertThat(indexed.equals(new HashSet<>(ids)))
          .as("the indexed ids are exactly the published ids")
          .isTrue();
    }

    Path rebuilt = dir.resolve("rebuilt");
    try (EventIndex live = EventIndex.open(index, new EventAnalyzer());
        EventIndex fresh = EventIndex.open(rebuilt, new EventAnalyzer())) {
      try (KafkaIndexer rebuild =
          new KafkaIndexer(
              "rebuild",
              KafkaTestSupport.settings(),
              List.of(Topics.EVENTS),
              fresh,
              RecordMapper.EVENTS,
              KafkaIndexer.Settings.DEFAULT)) {
        rebuild.catchUp(Duration.ofMinutes(5));
      }
      IndexSearch a = IndexSearch.events(live);
      IndexSearch b = IndexSearch.events(fresh);
      for (String q : List.of("experimentid:" + run, "experimentid:" + run + " AND loop")) {
        SearchRequest request = new SearchRequest(q, null, null, null, 50, null, null);
        SearchPage pa = a.search(request);
        SearchPage pb = b.search(request);
        assertThat(pb.total()).isEqualTo(pa.total());
        assertThat(pb.facets()).isEqualTo(pa.facets());
        assertThat(pb.hits()).isEqualTo(pa.hits());
      }
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

  private static KafkaIndexer startIndexer(EventIndex index) {
    KafkaIndexer indexer =
        new KafkaIndexer(
            "crash-recovery",
            KafkaTestSupport.settings(),
            List.of(Topics.EVENTS),
            index,
            RecordMapper.EVENTS,
            KafkaIndexer.Settings.DEFAULT);
    indexer.start();
    return indexer;
  }

  private static void publish(String run, List<String> ids) {
    Instant t0 = Instant.parse("2026-11-29T04:00:00Z");
    EventCodec codec = EventCodec.instance();
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < ids.size(); i++) {
        CloudEvent event =
            CloudEvent.of(new FrameDropped(90, 1 + i % 7, i * 10L, i * 10L + 3, 4_200, "loop"))
                .id(ids.get(i))
                .source("/probes/frames/hmd-" + (i % 4))
                .subject("hmd-" + (i % 4))
                .experimentId(run)
                .time(t0.plusMillis(i))
                .build();
        producer.send(
            new ProducerRecord<>(
                Topics.EVENTS,
                Topics.keyOf(event).getBytes(StandardCharsets.UTF_8),
                codec.encode(event)));
      }
      producer.flush();
    }
  }

  private static Process startIndexerProcess(Path index) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            classpath,
            IndexerProcess.class.getName(),
            index.toString(),
            KafkaTestSupport.bootstrapServers())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static AtomicLong follow(Process process) {
    AtomicLong progress = new AtomicLong();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  if (line.startsWith("indexed ")) {
                    progress.set(Long.parseLong(line.substring(8).trim()));
                  }
                }
              } catch (Exception e) {
                // the process was killed
              }
            });
    reader.setDaemon(true);
    reader.start();
    return progress;
  }
}
