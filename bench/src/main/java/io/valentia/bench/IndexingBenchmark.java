package io.valentia.bench;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.broker.EmbeddedKafkaBroker;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.payload.MtuPing;
import io.valentia.eventbus.payload.OsdPing;
import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventDocuments;
import io.valentia.postmortem.index.EventIndex;
import io.valentia.postmortem.index.KafkaIndexer;
import io.valentia.postmortem.index.RecordMapper;
import io.valentia.postmortem.search.IndexSearch;
import io.valentia.postmortem.search.SearchRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.store.FSDirectory;

/**
 * It is over 400 lines because its three modes (the side-by-side run, {@code --search-only} and
 * {@code --document-costs}) share one event generator, one raw-Lucene indexing loop and one search
 * routine, so that the three measure the same events, documents and queries; each mode is a short
 * {@code main} read top to bottom over those shared parts.
 *
 * <p>Indexing throughput and search latency, side by side in one run on one machine:
 *
 * <ol>
 *   <li>raw Lucene: two threads parse the same records, build the same documents and add them to
 *       one IndexWriter, then commit (no Kafka);
 *   <li>the real pipeline: the events are produced to an embedded Kafka broker first, then the
 *       {@link KafkaIndexer} reads, parses and indexes them until every one is searchable;
 *   <li>search: term query + a random 15-minute window + facet counts + top 20, on the pipeline's
 *       index, through {@link IndexSearch}.
 * </ol>
 *
 * Usage: {@code java -Xmx2g -jar bench/target/valentia-bench.jar [EVENTS] [WORK_DIR]} (default
 * 1,000,000 events over one day of simulated time).
 *
 * <p>{@code java -Xmx3g -jar bench/target/valentia-bench.jar --search-only EVENTS [WORK_DIR]}
 * measures search alone on a corpus too large to keep in memory or to push through Kafka in
 * reasonable time (10M events): two threads generate the events chunk by chunk and index the
 * documents the indexer builds straight into Lucene, then the same searches run on that index.
 *
 * <p>{@code java -Xmx2g -jar bench/target/valentia-bench.jar --document-costs [EVENTS]} measures
 * what each part of an event's document costs: raw Lucene indexing of the same events (500,000 by
 * default) with the whole document, then with one part left out at a time, then with only the id,
 * time and stored event.
 */
public final class IndexingBenchmark {
  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");
  private static final Duration SPAN = Duration.ofDays(1);
  private static final int SEARCHES = 2000;
  private static final KafkaIndexer.Settings PIPELINE_SETTINGS =
      new KafkaIndexer.Settings(Duration.ofMillis(250), Duration.ofSeconds(5));

  private IndexingBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--search-only")) {
      searchOnly(args);
      return;
    }
    if (args.length > 0 && args[0].equals("--document-costs")) {
      documentCosts(args);
      return;
    }
    int events = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    boolean temporary = args.length < 2;
    Path work = temporary ? Files.createTempDirectory("valentia-bench") : Path.of(args[1]);
    System.err.printf("generating %,d events in %s%n", events, work);
    List<byte[]> records = generate(events);
    long bytes = records.stream().mapToLong(r -> r.length).sum();

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), 0)) {
      KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers());
      new TopicProvisioner(kafka).ensureTopics(Duration.ofSeconds(60));
      double produced = produce(broker.bootstrapServers(), records);
      System.err.printf("produced: %,.0f events/s%n", produced);

      int warmUp = Math.min(events, Integer.getInteger("valentia.bench.warmup", 1_000_000));
      if (warmUp > 0) {
        // on 2 cores the JIT compiler takes most of a core for minutes: both paths run first, so
        // that each is measured with compiled code rather than while it is being compiled
        System.err.printf("warming up: %,d events through each path%n", warmUp);
        rawLucene(records.subList(0, warmUp), work.resolve("warm-up-raw"), false);
        try (EventIndex index =
            EventIndex.open(work.resolve("warm-up-pipeline"), new EventAnalyzer())) {
          pipeline(kafka, index, warmUp, false);
        }
        deleteTree(work.resolve("warm-up-raw"));
        deleteTree(work.resolve("warm-up-pipeline"));
      }

      double raw = rawLucene(records, work.resolve("raw-index"), true);
      System.err.printf("raw Lucene, 2 threads: %,.0f events/s%n", raw);
      records = null; // the pipeline reads from Kafka only

      Path pipelineDir = work.resolve("pipeline-index");
      try (EventIndex index = EventIndex.open(pipelineDir, new EventAnalyzer())) {
        double pipeline = pipeline(kafka, index, events, true);
        System.err.printf("pipeline: %,.0f events/s%n", pipeline);
        double[] latencies = search(index);
        long indexBytes = size(pipelineDir);
        String version = System.getProperty("java.version");
        System.out.printf(
            Locale.ROOT,
            "%n| measure | value |%n|---|---|%n"
                + "| events (avg JSON size) | %,d (%d bytes) |%n"
                + "| raw Lucene, 2 threads, one IndexWriter, incl. commit | %,.0f events/s |%n"
                + "| pipeline: Kafka -> parse -> index -> searchable, %d indexing threads | %,.0f events/s (%.2f x raw) |%n"
                + "| produce (acks=all, lz4), for reference | %,.0f events/s |%n"
                + "| search: term + 15-min window + 6 facets + top 20, %d queries | p50 %.1f ms, p99 %.1f ms, max %.1f ms |%n"
                + "| index size | %,d MiB |%n"
                + "| JVM, cores | %s, %d |%n",
            events,
            bytes / events,
            raw,
            PIPELINE_SETTINGS.indexingThreads(),
            pipeline,
            pipeline / raw,
            produced,
            SEARCHES,
            latencies[0],
            latencies[1],
            latencies[2],
            indexBytes >> 20,
            version,
            Runtime.getRuntime().availableProcessors());
      }
    } finally {
      if (temporary) {
        deleteTree(work);
      }
    }
  }

  /** A day of a cluster: MTU and OSD pings, frame drops, denials, a few mismatches. */
  static List<byte[]> generate(int count) {
    EventCodec codec = EventCodec.instance();
    Random random = new Random(42);
    List<byte[]> records = new ArrayList<>(count);
    long stepNanos = SPAN.toNanos() / count;
    for (int i = 0; i < count; i++) {
      records.add(codec.encode(event(random, i, stepNanos)));
    }
    return records;
  }

  /** Event {@code i} of a day of {@code SPAN / stepNanos} events. */
  static CloudEvent event(Random random, int i, long stepNanos) {
    int host = random.nextInt(64);
    int peer = (host + 1 + random.nextInt(63)) % 64;
    int kind = random.nextInt(100);
    EventPayload payload;
    String source;
    String subject;
    Severity severity = null;
    if (kind < 55) {
      payload =
          new MtuPing(
              "10.0.1." + peer + ":7", 8972, true, 300L + random.nextInt(400), "both", "udp");
      source = "/probes/mtu/osd-" + host;
      subject = "osd-" + host + "->osd-" + peer;
    } else if (kind < 85) {
      // Ceph prints ping times in milliseconds with three decimals ("last": 0.924)
      double last = Math.round((0.3 + random.nextDouble()) * 1000) / 1000.0;
      payload =
          new OsdPing(
              host,
              peer,
              random.nextBoolean() ? "back" : "front",
              last,
              new OsdPing.Windows(last, last, last),
              new OsdPing.Windows(0.1, 0.1, 0.1),
              new OsdPing.Windows(2, 2, 2),
              false,
              1000.0);
      source = "/probes/ceph/mgr-" + (host % 3);
      subject = "osd." + host + "->osd." + peer;
    } else if (kind < 95) {
      payload =
          new FrameDropped(
              90, 1 + random.nextInt(9), i, i + 3L, 4_000 + random.nextInt(9_000), "loop");
      source = "/probes/frames/hmd-" + (host % 8);
      subject = "hmd-" + (host % 8);
    } else if (kind < 99) {
      boolean kill = random.nextInt(4) == 0;
      payload =
          new SyscallDenied(
              "ptrace",
              101,
              "x86_64",
              kill ? "KILL_PROCESS" : "ERRNO",
              kill ? null : 1,
              4000L + random.nextInt(1000),
              "vrserver",
              "/opt/steam/vrserver",
              1000L,
              null,
              "filter",
              1 + random.nextInt(5),
              T0,
              T0);
      source = "/probes/denials/host-" + (host % 16);
      subject = "vrserver";
    } else {
      payload = new MtuMismatch("10.0.1." + peer + ":7", 1472, 1473, 1500, "out");
      source = "/probes/mtu/osd-" + host;
      subject = "osd-" + host + "->osd-" + peer;
      severity = Severity.CRITICAL;
    }
    CloudEvent.Builder builder =
        CloudEvent.of(payload)
            .source(source)
            .subject(subject)
            .time(T0.plusNanos(stepNanos * i).plusNanos(random.nextInt(1000)));
    if (severity != null) {
      builder.severity(severity);
    }
    return builder.build();
  }

  /** Generates and indexes straight into Lucene (two threads), then measures search. */
  static void searchOnly(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: --search-only EVENTS [WORK_DIR]");
      System.exit(2);
    }
    int events = Integer.parseInt(args[1].replace("_", ""));
    boolean temporary = args.length < 3;
    Path work = temporary ? Files.createTempDirectory("valentia-bench") : Path.of(args[2]);
    Path dir = work.resolve("search-index");
    int chunk = 100_000;
    long stepNanos = SPAN.toNanos() / events;
    EventCodec codec = EventCodec.instance();
    System.err.printf("generating and indexing %,d events in %s%n", events, dir);
    try {
      long start = System.nanoTime();
      try (FSDirectory directory = FSDirectory.open(dir);
          IndexWriter writer =
              new IndexWriter(directory, EventIndex.writerConfig(new EventAnalyzer()))) {
        AtomicInteger nextChunk = new AtomicInteger();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
          threads[t] =
              new Thread(
                  () -> {
                    try {
                      int c;
                      while ((c = nextChunk.getAndIncrement()) * (long) chunk < events) {
                        Random random = new Random(42L + c); // the same corpus on every run
                        for (int i = c * chunk; i < Math.min(events, (c + 1) * chunk); i++) {
                          byte[] record = codec.encode(event(random, i, stepNanos));
                          writer.addDocument(
                              EventDocuments.toDocument(codec.decodeEnvelope(record), record, T0));
                        }
                      }
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
          threads[t].start();
        }
        for (Thread thread : threads) {
          thread.join();
        }
        writer.commit();
      }
      double rate = events / ((System.nanoTime() - start) / 1e9);
      try (EventIndex index = EventIndex.open(dir, new EventAnalyzer())) {
        double[] latencies = search(index);
        System.out.printf(
            Locale.ROOT,
            "%n| measure | value |%n|---|---|%n"
                + "| events | %,d |%n"
                + "| generate + index straight into Lucene, 2 threads | %,.0f events/s |%n"
                + "| search: term + 15-min window + 6 facets + top 20, %d queries | p50 %.1f ms, p99 %.1f ms, max %.1f ms |%n"
                + "| index size | %,d MiB |%n"
                + "| JVM, cores | %s, %d |%n",
            events,
            rate,
            SEARCHES,
            latencies[0],
            latencies[1],
            latencies[2],
            size(dir) >> 20,
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors());
      }
    } finally {
      if (temporary) {
        deleteTree(work);
      }
    }
  }

  /** Raw Lucene rates of the same events with parts of each document left out. */
  static void documentCosts(String[] args) throws Exception {
    int events = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 500_000;
    Path work = Files.createTempDirectory("valentia-bench");
    Map<String, UnaryOperator<Document>> variants = new LinkedHashMap<>();
    variants.put("the whole document", doc -> doc);
    variants.put("without the full-text field", doc -> without(doc, f -> f.name().equals("text")));
    variants.put(
        "without the exact data.* fields",
        doc -> without(doc, f -> f.name().startsWith(EventDocuments.DATA_PREFIX)));
    variants.put(
        "without the eight other keyword fields",
        doc ->
            without(
                doc,
                f ->
                    EventDocuments.KEYWORDS.contains(f.name())
                        && !f.name().equals(EventDocuments.ID)));
    variants.put("without the six facets", doc -> without(doc, f -> f.name().startsWith("$")));
    variants.put(
        "without the id's sort doc values",
        doc ->
            without(
                doc,
                f ->
                    f.name().equals(EventDocuments.ID)
                        && f.fieldType().docValuesType() != DocValuesType.NONE));
    variants.put(
        "only id, time and the stored event",
        doc ->
            without(
                doc,
                f ->
                    !f.name().equals(EventDocuments.ID)
                        && !f.name().equals(EventDocuments.TIME)
                        && !f.name().equals(EventDocuments.EVENT)));
    // measured first and last: the spread is the run's noise
    variants.put("the whole document, again", doc -> doc);
    try {
      List<byte[]> records = generate(events);
      List<byte[]> warmUp = records.subList(0, Math.min(events, 200_000));
      System.err.printf("warming up: %,d events in every variant%n", warmUp.size());
      for (UnaryOperator<Document> variant : variants.values()) {
        rawLucene(warmUp, work.resolve("warm-up"), false, variant);
        deleteTree(work.resolve("warm-up"));
      }
      StringBuilder table =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%n| raw Lucene, 2 threads, %,d events | events/s | index size |%n|---|---|---|%n",
                  events));
      int n = 0;
      for (Map.Entry<String, UnaryOperator<Document>> variant : variants.entrySet()) {
        Path dir = work.resolve("variant-" + n++);
        double rate = rawLucene(records, dir, false, variant.getValue());
        System.err.printf("%s: %,.0f events/s%n", variant.getKey(), rate);
        table.append(
            String.format(
                Locale.ROOT,
                "| %s | %,.0f | %,d MiB |%n",
                variant.getKey(),
                rate,
                size(dir) >> 20));
        deleteTree(dir);
      }
      System.out.print(table);
    } finally {
      deleteTree(work);
    }
  }

  private static Document without(Document doc, Predicate<IndexableField> drop) {
    Document kept = new Document();
    for (IndexableField field : doc) {
      if (!drop.test(field)) {
        kept.add(field);
      }
    }
    return kept;
  }

  static double rawLucene(List<byte[]> records, Path dir, boolean report) throws Exception {
    return rawLucene(records, dir, report, doc -> doc);
  }

  static double rawLucene(
      List<byte[]> records, Path dir, boolean report, UnaryOperator<Document> shape)
      throws Exception {
    // each thread parses and builds its documents with the indexer's writer settings, as the
    // pipeline does: only Kafka differs
    EventCodec codec = EventCodec.instance();
    IndexWriterConfig config = EventIndex.writerConfig(new EventAnalyzer());
    try (FSDirectory directory = FSDirectory.open(dir);
        IndexWriter writer = new IndexWriter(directory, config)) {
      AtomicInteger next = new AtomicInteger();
      CpuSampler cpu = new CpuSampler();
      long start = System.nanoTime();
      Thread[] threads = new Thread[2];
      for (int t = 0; t < threads.length; t++) {
        threads[t] =
            new Thread(
                () -> {
                  try {
                    int i;
                    while ((i = next.getAndIncrement()) < records.size()) {
                      byte[] record = records.get(i);
                      Document doc =
                          shape.apply(
                              EventDocuments.toDocument(codec.decodeEnvelope(record), record, T0));
                      writer.addDocument(doc);
                    }
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                },
                "raw-" + t);
        threads[t].start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      writer.commit();
      double rate = records.size() / ((System.nanoTime() - start) / 1e9);
      String cpuReport = cpu.report("raw Lucene");
      if (report) {
        System.err.print(cpuReport);
      }
      return rate;
    }
  }

  static double produce(String bootstrap, List<byte[]> records) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      int i = 0;
      for (byte[] record : records) {
        byte[] key = ("k" + (i++ % 512)).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(Topics.EVENTS, key, record));
      }
      producer.flush();
    }
    return records.size() / ((System.nanoTime() - start) / 1e9);
  }

  static double pipeline(KafkaSettings kafka, EventIndex index, int expected, boolean report)
      throws Exception {
    CpuSampler cpu = new CpuSampler();
    long start = System.nanoTime();
    try (KafkaIndexer indexer =
        new KafkaIndexer(
            "bench",
            kafka,
            List.of(Topics.EVENTS),
            index,
            RecordMapper.EVENTS,
            PIPELINE_SETTINGS)) {
      indexer.start();
      while (index.documentCount() < expected) {
        if (indexer.failure().isPresent()) {
          throw new IllegalStateException("indexer failed", indexer.failure().get());
        }
        Thread.sleep(20);
      }
      double rate = expected / ((System.nanoTime() - start) / 1e9);
      String cpuReport = cpu.report("pipeline");
      if (report) {
        System.err.print(cpuReport);
      }
      return rate;
    }
  }

  /** p50, p99 and max in milliseconds. */
  static double[] search(EventIndex index) {
    IndexSearch search = IndexSearch.events(index);
    Random random = new Random(7);
    List<String> queries =
        List.of(
            "type:io.valentia.probe.mtu.ping.v1",
            "host:osd-12",
            "service:probes AND severity:critical",
            "vrserver",
            "type:io.valentia.probe.frame.dropped.v1 AND subject:hmd-3");
    double[] millis = new double[SEARCHES + 200];
    for (int i = 0; i < millis.length; i++) {
      Instant from = T0.plusSeconds(random.nextInt((int) SPAN.minusMinutes(15).toSeconds()));
      SearchRequest request =
          new SearchRequest(
              queries.get(i % queries.size()),
              from,
              from.plus(Duration.ofMinutes(15)),
              null,
              20,
              SearchRequest.Order.NEWEST,
              null);
      long start = System.nanoTime();
      search.search(request);
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    double[] measured = Arrays.copyOfRange(millis, 200, millis.length); // 200 warm-up queries
    Arrays.sort(measured);
    return new double[] {
      measured[measured.length / 2],
      measured[(int) Math.ceil(measured.length * 0.99) - 1],
      measured[measured.length - 1]
    };
  }

  static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
