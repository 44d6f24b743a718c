package io.valentia.postmortem.store;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.postmortem.index.EventAnalyzer;
import io.valentia.postmortem.index.EventIndex;
import io.valentia.postmortem.review.EvidenceCheck;
import io.valentia.postmortem.search.IndexSearch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The postmortem store: serves {@code /api/v1/postmortems}. Each postmortem's head (latest document
 * and revision) is in {@code valentia.state.postmortems}, restored at start; every revision stays
 * on {@code valentia.postmortems} and on disk in {@code DATA/postmortem/postmortem-revisions}
 * ({@link RevisionIndex}), and the latest documents are searchable in {@code
 * DATA/postmortem/postmortems-index}. {@link PostmortemLog} applies the log, resuming where its
 * last commit ended. A change is a revision event published on the log; the answer waits until the
 * log has taken it, so what a client reads back is what every process sees. Lucene and Kafka work
 * runs off the event loop.
 *
 * <p>This class is the lifecycle: start opens the heads, the indexes and the log, stop closes them.
 * The HTTP API is {@link PostmortemApi} (reads, export, search), {@link PostmortemChanges} (create,
 * revise, status) and {@link PostmortemReviews} (the blameless review with its {@link
 * EvidenceCheck}); a new postmortem's first draft comes from its incident ({@link IncidentDraft}).
 */
public final class PostmortemVerticle extends VerticleBase {
  public static final String PATH = "/postmortems";

  private final Path dir;
  private final KafkaSettings kafka;
  private final KafkaEventPublisher publisher;
  private final IndexSearch events;
  private final Function<String, Future<JsonObject>> incidents;
  private final StateTables stateTables;
  private final Consumer<String> console;
  private EventIndex index;
  private RevisionIndex revisions;
  private StateTable<PostmortemHead> heads;
  private PostmortemStore store;
  private PostmortemLog log;
  private IndexSearch search;

  /**
   * @param dir the postmortems index directory
   * @param events searches the events index (for drafting timelines and checking evidence)
   * @param incidents the incident with an id as the incidents API shows it, or null
   * @param stateTables the process's state tables (the heads are {@code
   *     valentia.state.postmortems})
   * @param console where the one-time migration's progress lines go
   */
  public PostmortemVerticle(
      Path dir,
      KafkaSettings kafka,
      KafkaEventPublisher publisher,
      IndexSearch events,
      Function<String, Future<JsonObject>> incidents,
      StateTables stateTables,
      Consumer<String> console) {
    this.dir = dir;
    this.kafka = kafka;
    this.publisher = publisher;
    this.events = events;
    this.incidents = incidents;
    this.stateTables = stateTables;
    this.console = console;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(
        () -> {
          heads = stateTables.open(Topics.STATE_POSTMORTEMS, PostmortemHead.class);
          index = EventIndex.open(dir, new EventAnalyzer());
          revisions = RevisionIndex.open(dir.resolveSibling(RevisionIndex.DIRECTORY));
          search = new IndexSearch(index, PostmortemDocuments.FACETS);
          heads.restored().get(2, TimeUnit.MINUTES);
          store = new PostmortemStore(heads::get);
          log = new PostmortemLog(kafka, index, revisions, heads, store);
          log.migrate(new StateMigration(stateTables, console));
          log.start().get(2, TimeUnit.MINUTES);
          return null;
        });
  }

  /** The store; valid once started. */
  public PostmortemStore store() {
    return store;
  }

  /** Every revision on disk; valid once started. */
  public RevisionIndex revisions() {
    return revisions;
  }

  /** The reader of the log; valid once started. */
  public PostmortemLog log() {
    return log;
  }

  /** Searches over the postmortems index; valid once started. */
  public IndexSearch search() {
    return search;
  }

  /**
   * The routes to mount at {@link #PATH} ({@link PostmortemApi}, {@link PostmortemChanges}, {@link
   * PostmortemReviews}); valid once started.
   */
  public Router router() {
    PostmortemReviews reviews = new PostmortemReviews(vertx, store, new EvidenceCheck(events));
    PostmortemChanges changes =
        new PostmortemChanges(
            context, store, publisher, new IncidentDraft(vertx, events, incidents), reviews);
    return new PostmortemApi(vertx, store, heads, revisions, search, changes, reviews).router();
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          if (log != null) {
            log.close();
          }
          if (index != null) {
            index.close();
          }
          if (revisions != null) {
            revisions.close();
          }
          return null;
        });
  }
}
