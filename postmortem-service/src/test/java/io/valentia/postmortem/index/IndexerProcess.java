package io.valentia.postmortem.index;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An indexer alone in its own JVM, for tests that kill it: {@code IndexerProcess INDEX_DIR
 * BOOTSTRAP}. Prints {@code indexed N} every 20 ms; runs until killed.
 */
public final class IndexerProcess {
  private IndexerProcess() {}

  public static void main(String[] args) throws Exception {
    EventIndex index = EventIndex.open(Path.of(args[0]), new EventAnalyzer());
    KafkaIndexer indexer =
        new KafkaIndexer(
            "crash-test",
            KafkaSettings.local(args[1]),
            List.of(Topics.EVENTS),
            index,
            RecordMapper.EVENTS,
            new KafkaIndexer.Settings(Duration.ofMillis(100), Duration.ofMillis(150)));
    indexer.start();
    while (true) {
      System.out.println("indexed " + indexer.indexedCount());
      System.out.flush();
      Thread.sleep(20);
    }
  }
}
