package io.valentia.postmortem;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.eventbus.service.ValentiaService;
import io.valentia.postmortem.incidents.DetectionRules;
import io.valentia.postmortem.incidents.IncidentStreams;
import io.valentia.postmortem.incidents.IncidentTopology;
import io.valentia.postmortem.incidents.IncidentVerticle;
import io.valentia.postmortem.index.IndexerVerticle;
import io.valentia.postmortem.search.SearchRoutes;
import io.valentia.postmortem.store.PostmortemVerticle;
import io.vertx.core.Future;
import java.util.List;

/**
 * The {@code postmortem} role: indexes {@code valentia.events} into Lucene ({@code
 * DATA/postmortem/events-index}), serves {@code GET /api/v1/events/search}, detects incidents
 * (Kafka Streams, state in {@code DATA/postmortem/incident-streams} and {@code
 * valentia.state.incidents}) and keeps the postmortems ({@code /api/v1/postmortems}, rebuilt from
 * {@code valentia.postmortems}). Configuration: {@link PostmortemConfig}.
 */
public final class PostmortemService implements ValentiaService {
  public static final String ROLE = "postmortem";

  /** The events index inside the role's data directory. */
  public static final String EVENTS_INDEX = "events-index";

  /** Incident detection's Kafka Streams state inside the role's data directory. */
  public static final String INCIDENT_STREAMS = "incident-streams";

  /** The postmortems index inside the role's data directory. */
  public static final String POSTMORTEMS_INDEX = "postmortems-index";

  @Override
  public String role() {
    return ROLE;
  }

  @Override
  public List<String> apiPaths() {
    return List.of(IncidentVerticle.PATH, PostmortemVerticle.PATH, SearchRoutes.PATH);
  }

  @Override
  public String description() {
    return "the record: event index and search, incidents, postmortems";
  }

  @Override
  public List<String> checkConfig(JsonNode section) {
    return PostmortemConfig.check(section);
  }

  /**
   * Loads RocksDB's native library (extracted from its jar, a fifth of a second) and Kafka Streams'
   * classes for incident detection, whose start is the longest of the role.
   */
  @Override
  public void prepare() {
    org.rocksdb.RocksDB.loadLibrary();
    IncidentTopology.build(DetectionRules.DEFAULT, List::of).describe();
  }

  @Override
  public Future<?> start(ServiceContext context) {
    PostmortemConfig config = PostmortemConfig.parse(context.config());
    IndexerVerticle indexer =
        new IndexerVerticle(
            context.dataDir().resolve(EVENTS_INDEX), context.kafka(), config, context.health());
    IncidentVerticle incidents =
        new IncidentVerticle(
            context,
            DetectionRules.parse(config.incidents()),
            IncidentStreams.Settings.of(
                config.incidents(), context.dataDir().resolve(INCIDENT_STREAMS)));
    // detection (Kafka Streams) needs neither the index nor the postmortems: it starts beside them
    Future<String> detection =
        context
            .vertx()
            .deployVerticle(incidents)
            .onSuccess(id -> context.api().mount(IncidentVerticle.PATH, incidents.router()));
    Future<String> record =
        context
            .vertx()
            .deployVerticle(indexer)
            .compose(
                id -> {
                  PostmortemVerticle postmortems =
                      new PostmortemVerticle(
                          context.dataDir().resolve(POSTMORTEMS_INDEX),
                          context.kafka(),
                          context.publisher(),
                          indexer.search(),
                          incidents::describe,
                          context.stateTables(),
                          context.console()::println);
                  return context
                      .vertx()
                      .deployVerticle(postmortems)
                      .onSuccess(
                          d -> context.api().mount(PostmortemVerticle.PATH, postmortems.router()));
                })
            .onSuccess(
                id ->
                    context
                        .api()
                        .mount(
                            SearchRoutes.PATH,
                            SearchRoutes.router(context.vertx(), indexer.search())));
    return Future.all(detection, record);
  }
}
