package io.valentia.postmortem.index;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.cli.KafkaAddress;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.postmortem.PostmortemService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code valentia reindex}: rebuilds the events index from the Kafka log. The platform (or at least
 * its postmortem role) must be stopped on that data directory; the old index stays in place until
 * the new one is complete.
 */
@Command(
    name = "reindex",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild the events index (DATA/postmortem/events-index) from valentia.events, from the"
          + " oldest record Kafka keeps to the newest. Stop the postmortem service on that data"
          + " directory first; the old index is replaced only once the new one is complete.",
      "Exit 0 when rebuilt, 1 when the index is in use or Kafka cannot be read."
    })
public final class ReindexCommand implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "data directory (default ./data)")
  Path data = Path.of("data");

  @Mixin KafkaAddress kafka;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "give up after this many seconds (default 3600)")
  long timeoutSeconds = 3600;

  @Option(names = "--json", description = "print the result as one JSON object")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Path dir = data.resolve(PostmortemService.ROLE).resolve(PostmortemService.EVENTS_INDEX);
    Path fresh = dir.resolveSibling(PostmortemService.EVENTS_INDEX + ".rebuild");
    long started = System.nanoTime();
    Map<String, Object> result = new LinkedHashMap<>();
    // holding the live index's lock keeps a service from opening it while we rebuild
    try (EventIndex live = EventIndex.open(dir, new EventAnalyzer())) {
      deleteTree(fresh);
      try (EventIndex rebuilt = EventIndex.open(fresh, new EventAnalyzer());
          KafkaIndexer indexer =
              new KafkaIndexer(
                  "reindex",
                  KafkaSettings.local(bootstrap())
                      .withClientProperties(
                          io.valentia.eventbus.security.KafkaClientSecurity.forCommand(
                              null, data, io.valentia.eventbus.security.KafkaRole.POSTMORTEM)),
                  List.of(Topics.EVENTS),
                  rebuilt,
                  RecordMapper.EVENTS,
                  KafkaIndexer.Settings.DEFAULT)) {
        indexer.catchUp(Duration.ofSeconds(timeoutSeconds));
        result.put("events", rebuilt.documentCount());
        result.put("invalidRecords", indexer.invalidCount());
        result.put("previousEvents", live.documentCount());
      } catch (org.apache.kafka.common.KafkaException e) {
        throw new ValentiaException("cannot read Kafka at " + bootstrap() + ": " + e.getMessage());
      }
    }
    Path old = dir.resolveSibling(PostmortemService.EVENTS_INDEX + ".old");
    deleteTree(old);
    Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
    Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(old);
    result.put("index", dir.toString());
    result.put("seconds", (System.nanoTime() - started) / 1e9);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(EventCodec.MAPPER.writeValueAsString(result));
    } else {
      out.printf(
          "rebuilt %s: %s events (was %s), %s invalid records skipped, %.1f s%n",
          dir,
          result.get("events"),
          result.get("previousEvents"),
          result.get("invalidRecords"),
          result.get("seconds"));
    }
    out.flush();
    return 0;
  }

  private String bootstrap() {
    return kafka.bootstrap();
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
