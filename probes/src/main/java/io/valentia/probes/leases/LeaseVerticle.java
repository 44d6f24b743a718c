package io.valentia.probes.leases;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LeaseExpired;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease service: grants resources to lessees for a term, renews them on heartbeat, expires them
 * when the heartbeats stop, revokes them on the lessor's request or when the lessee's process ends
 * (exit: {@code lessee-exit}, killed by a signal: {@code lessee-crash}), and publishes {@code
 * lease.granted}, {@code lease.revoked} and {@code lease.expired}. Its {@link #router()} serves the
 * HTTP API (mounted at {@code /leases} under {@code /api/v1}), which {@link LeaseApi} answers.
 *
 * <p>With state tables, the leases it grants are kept in {@link Topics#STATE_LEASES} (written when
 * granted, before the grant is answered; removed when they end), and a restarted service takes its
 * own leases back from there with a fresh term.
 */
public final class LeaseVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseVerticle.class);
  static final long MIN_TERM_MS = 100;
  static final long MAX_TERM_MS = 86_400_000;

  private final EventPublisher publisher;
  private final StateTables tables;
  private final Consumer<String> console;
  private final String source;
  private final boolean kernelProcessEvents;
  private final LeaseTable table = new LeaseTable();
  private final Clock clock = Clock.systemUTC();
  private final Router router;
  private volatile ProcessExitWatcher exits;
  private volatile StateTable<GrantedLease> state;
  private Context context;
  private long timer = -1;

  /**
   * @param router an empty router, created with the Vert.x instance this verticle runs on; the
   *     verticle adds its routes when it starts
   * @param kernelProcessEvents whether to watch lessee pids through the kernel's process events
   */
  public LeaseVerticle(
      EventPublisher publisher, String host, Router router, boolean kernelProcessEvents) {
    this(publisher, null, line -> {}, host, router, kernelProcessEvents);
  }

  /**
   * @param tables where the leases are kept ({@link Topics#STATE_LEASES}) and read back from after
   *     a restart; null to keep them only in memory
   * @param console where the one-time lines of the lease table's migration go
   */
  public LeaseVerticle(
      EventPublisher publisher,
      StateTables tables,
      Consumer<String> console,
      String host,
      Router router,
      boolean kernelProcessEvents) {
    this.publisher = publisher;
    this.tables = tables;
    this.console = console;
    this.source = "/leases/" + host;
    this.router = router;
    this.kernelProcessEvents = kernelProcessEvents;
  }

  /**
   * The API: {@code GET /}, {@code POST /}, {@code GET /:id}, {@code POST /:id/renew}, {@code
   * DELETE /:id}.
   */
  public Router router() {
    return router;
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    new LeaseApi(this, table, clock).mount(router);
    timer = vertx.setPeriodic(50, id -> expire());
    return vertx
        .executeBlocking(() -> new ProcessExitWatcher(kernelProcessEvents))
        .onSuccess(
            w -> {
              exits = w;
              LOG.info("lease service: lessee processes watched by {}", w.mode());
            })
        .compose(w -> restore());
  }

  /**
   * Builds the lease table from the old history if that was never done, reads it, and takes back
   * the leases this service granted before it restarted.
   */
  private Future<?> restore() {
    if (tables == null) {
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(
            () -> {
              StateTable<GrantedLease> leases =
                  tables.open(Topics.STATE_LEASES, GrantedLease.class);
              LeaseLog.migrate(new StateMigration(tables, console), leases);
              StateMigration.await(leases.restored(), "read " + Topics.STATE_LEASES);
              state = leases;
              return leases.snapshot().values().stream()
                  .filter(l -> source.equals(l.lessor()))
                  .map(l -> l.restoredAt(clock.instant()))
                  .toList();
            })
        .onSuccess(
            leases -> {
              for (Lease lease : leases) {
                table.restore(lease);
                if (lease.lessee().pid() != null) {
                  watch(lease, lease.lessee().pid());
                }
              }
              if (!leases.isEmpty()) {
                LOG.info("lease service: {} lease(s) restored", leases.size());
              }
            });
  }

  /**
   * Keeps {@code lease} in the lease state; done at once without state tables, failed while the
   * table is still being read (a grant then could not be kept).
   */
  Future<Void> keep(Lease lease) {
    StateTable<GrantedLease> leases = state;
    if (tables == null) {
      return Future.succeededFuture();
    }
    if (leases == null) {
      return Future.failedFuture("the lease table is still being read; try again");
    }
    return Future.fromCompletionStage(
        leases.put(lease.id(), GrantedLease.of(source, lease)), context);
  }

  /** Removes {@code lease} from the lease state; done at once without state tables. */
  Future<Void> forget(Lease lease) {
    StateTable<GrantedLease> leases = state;
    return leases == null
        ? Future.succeededFuture()
        : Future.fromCompletionStage(leases.remove(lease.id()), context)
            .onFailure(
                e ->
                    LOG.warn(
                        "could not remove lease {} from the state: {}", lease.id(), e.toString()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    if (exits != null) {
      exits.close();
    }
    return Future.succeededFuture();
  }

  /** How lessee processes are watched, for health details. */
  public String watchMode() {
    return exits == null ? "starting" : exits.mode();
  }

  /**
   * Revokes {@code lease} when process {@code pid} ends.
   *
   * @throws IllegalArgumentException when the process cannot be watched
   */
  void watch(Lease lease, long pid) {
    ProcessExitWatcher watcher = exits;
    if (watcher == null) {
      throw new IllegalArgumentException("the process watcher is not running yet");
    }
    watcher
        .watch(pid)
        .thenAccept(status -> context.runOnContext(v -> lesseeEnded(lease.id(), status)));
  }

  private void lesseeEnded(String leaseId, ExitStatus status) {
    table
        .end(leaseId)
        .ifPresent(
            lease -> {
              LOG.info(
                  "lease {} of {} revoked: {} ({})",
                  lease.id(),
                  lease.resource(),
                  status.reason(),
                  status.detail());
              forget(lease);
              publish(
                  new LeaseRevoked(
                      lease.id(),
                      lease.resource(),
                      lease.lessee(),
                      status.reason(),
                      status.detail()),
                  lease);
            });
  }

  private void expire() {
    for (Lease lease : table.expire(clock.instant())) {
      LOG.info("lease {} of {} expired", lease.id(), lease.resource());
      forget(lease);
      publish(
          new LeaseExpired(lease.id(), lease.resource(), lease.lessee(), lease.lastRenewal()),
          lease);
    }
  }

  void publish(EventPayload payload, Lease lease) {
    CloudEvent event = CloudEvent.of(payload).source(source).subject(lease.resource()).build();
    publisher
        .publish(event)
        .onFailure(e -> LOG.warn("could not publish {}: {}", event.type(), e.toString()));
  }
}
