package io.valentia.postmortem.index;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.HealthRegistry;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.postmortem.PostmortemConfig;
import io.valentia.postmortem.PostmortemService;
import io.valentia.postmortem.search.IndexSearch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the events index and its {@link KafkaIndexer}: opening, indexing and closing happen off the
 * event loop (the indexer has its own thread; open and close run as blocking tasks). Reports the
 * indexer's state as service {@code postmortem} every few seconds.
 */
public final class IndexerVerticle extends VerticleBase {
  private final Path dir;
  private final KafkaSettings kafka;
  private final PostmortemConfig config;
  private final HealthRegistry health;
  private volatile EventIndex index;
  private volatile KafkaIndexer indexer;
  private volatile IndexSearch search;
  private long timer = -1;

  public IndexerVerticle(
      Path dir, KafkaSettings kafka, PostmortemConfig config, HealthRegistry health) {
    this.dir = dir;
    this.kafka = kafka;
    this.config = config;
    this.health = health;
  }

  @Override
  public Future<?> start() {
    health.service(PostmortemService.ROLE, new ServiceStatus("starting", "opening " + dir));
    return vertx
        .executeBlocking(
            () -> {
              index = EventIndex.open(dir, new EventAnalyzer());
              search = IndexSearch.events(index);
              indexer =
                  new KafkaIndexer(
                      "events",
                      kafka,
                      List.of(Topics.EVENTS),
                      index,
                      RecordMapper.EVENTS,
                      new KafkaIndexer.Settings(config.refreshInterval(), config.commitInterval()));
              indexer.start();
              return null;
            })
        .onSuccess(
            v -> {
              reportState();
              timer = vertx.setPeriodic(2000, t -> reportState());
            })
        .onFailure(
            e ->
                health.service(
                    PostmortemService.ROLE, new ServiceStatus("failed", e.getMessage())));
  }

  /** Searches over the index; valid once started. */
  public IndexSearch search() {
    if (search == null) {
      throw new IllegalStateException("the index is not open yet");
    }
    return search;
  }

  private void reportState() {
    KafkaIndexer current = indexer;
    if (current == null) {
      return;
    }
    if (current.failure().isPresent()) {
      health.service(
          PostmortemService.ROLE,
          new ServiceStatus("failed", "indexer stopped: " + current.failure().get().getMessage()));
    } else {
      health.service(
          PostmortemService.ROLE,
          ServiceStatus.running(
              current.indexedCount()
                  + " events indexed since start"
                  + (current.invalidCount() > 0
                      ? ", " + current.invalidCount() + " invalid records skipped"
                      : "")));
    }
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return vertx.executeBlocking(
        () -> {
          if (indexer != null) {
            indexer.close();
          }
          if (index != null) {
            index.close();
          }
          health.service(PostmortemService.ROLE, new ServiceStatus("stopped", null));
          return null;
        });
  }
}
