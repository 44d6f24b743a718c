package io.valentia.app;

import io.valentia.app.config.ServiceCatalog;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.broker.RestartableBroker;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.kafka.TopicProvisioner.TopicStatus;
import io.valentia.eventbus.security.KafkaCredentials;
import io.valentia.eventbus.security.KafkaRole;
import io.valentia.eventbus.security.PlatformKey;
import io.valentia.eventbus.service.ApiRoutes;
import io.valentia.eventbus.service.ValentiaService;
import io.valentia.web.WebConfig;
import io.valentia.web.WebService;
import io.valentia.web.WebVerticle;
import io.valentia.web.gateway.RoleApiServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Valentia process: the embedded broker (unless an external cluster is configured), the
 * topics, the event bus core (publisher and dead-letter gate) and the services of its roles. {@link
 * #close()} stops them in reverse order: services, clients, then the broker. The settings its
 * clients sign in with come from {@link ProcessClientSettings}; where its start's time went is
 * logged through {@link StartTimes}.
 */
public final class Platform implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Platform.class);
  static final String EVENT_BUS_SERVICE = "event-bus";

  private final RestartableBroker broker;
  private final Vertx vertx;
  private final KafkaEventPublisher publisher;
  private final PlatformHealth health;
  private final StateTables stateTables;
  private final String bootstrap;
  private final int httpPort;
  private final MetricsEndpoint metrics;
  private final int metricsPort;
  private final WebVerticle web;
  private boolean closed;

  private Platform(
      RestartableBroker broker,
      Vertx vertx,
      KafkaEventPublisher publisher,
      PlatformHealth health,
      StateTables stateTables,
      String bootstrap,
      int httpPort,
      MetricsEndpoint metrics,
      int metricsPort,
      WebVerticle web) {
    this.broker = broker;
    this.vertx = vertx;
    this.publisher = publisher;
    this.health = health;
    this.stateTables = stateTables;
    this.bootstrap = bootstrap;
    this.httpPort = httpPort;
    this.metrics = metrics;
    this.metricsPort = metricsPort;
    this.web = web;
  }

  /**
   * Starts everything {@code config} asks for and returns once it all answers.
   *
   * @param adminToken {@code VALENTIA_ADMIN_TOKEN}, or null
   * @param out where the one-time messages for the person starting it go
   */
  public static Platform start(
      ValentiaConfig config, Map<String, String> environment, PrintStream out) {
    return start(config, ServiceCatalog.installed(), environment, out);
  }

  /**
   * Starts everything {@code config} asks for and returns once it all answers.
   *
   * @param catalog the services of this build
   * @param environment the process environment ({@code VALENTIA_ADMIN_TOKEN}, ...)
   * @param out where the one-time messages for the person starting it go
   */
  public static Platform start(
      ValentiaConfig config,
      ServiceCatalog catalog,
      Map<String, String> environment,
      PrintStream out) {
    long started = System.nanoTime();
    StartTimes times = new StartTimes();
    RestartableBroker broker = null;
    String bootstrap = config.kafka().bootstrap();
    if (!config.kafka().embedded()) {
      out.println("valentia: using the Kafka cluster at " + config.kafka().described());
    }
    List<ValentiaService> services =
        catalog.services().stream().filter(s -> config.roles().contains(s.role())).toList();
    List<ValentiaService> elsewhere =
        catalog.services().stream().filter(s -> !config.roles().contains(s.role())).toList();
    // while the broker starts (one core, mostly), Vert.x and the services' preparations take the
    // other
    MetricsEndpoint metrics = new MetricsEndpoint(config.metrics());
    CompletableFuture<Vertx> vertxReady = prepare(services, times, metrics);
    KafkaCredentials credentials = null;
    if (config.kafka().embedded()) {
      try {
        credentials = KafkaCredentials.loadOrCreate(config.dataDir());
        broker =
            RestartableBroker.start(
                config.dataDir().resolve("kafka"), config.kafka().brokerAddress(), credentials);
      } catch (RuntimeException e) {
        vertxReady.thenAccept(Vertx::close);
        metrics.close();
        throw e;
      }
      bootstrap = broker.bootstrapServers();
      times.lap("broker");
    }
    Vertx vertx = null;
    KafkaEventPublisher publisher = null;
    PlatformHealth health = null;
    StateTables stateTables = null;
    try {
      KafkaSettings settings = ProcessClientSettings.of(config, bootstrap, credentials);
      KafkaSettings provisioning =
          credentials == null
              ? settings
              : settings.withClientProperties(credentials.clientProperties(KafkaRole.ADMIN));
      List<TopicStatus> topics;
      try {
        topics = new TopicProvisioner(provisioning).ensureTopics(Duration.ofSeconds(60));
      } catch (ValentiaException e) {
        if (config.kafka().embedded()) {
          throw e;
        }
        String hint =
            settings.clientProperties().containsKey("security.protocol")
                ? ""
                : " (a cluster that asks for authentication, such as another Valentia's embedded"
                    + " broker, needs its client settings: --kafka-config FILE)";
        throw new ValentiaException(
            "Kafka at " + config.kafka().described() + ": " + e.getMessage() + hint, e);
      }
      times.lap("topics");
      vertx = vertxReady.join();
      publisher = new KafkaEventPublisher(vertx, settings, "platform");
      health = new PlatformHealth(vertx, settings, broker != null, topics);
      stateTables = new StateTables(settings);
      health.stateTables(stateTables);
      // the dead-letter gate and the health tables start beside the services, which need neither
      Future<String> core =
          vertx.deployVerticle(
              new EventBusCore(
                  settings, publisher, health, new StateMigration(stateTables, out::println)));
      health.start();
      PlatformKey platformKey = PlatformKey.loadOrCreate(config.dataDir());
      ApiRoutes api = new ApiRoutes();
      api.mount(
          "/health", new HealthApi(publisher, health.healthTables(), health::report).router(vertx));
      int httpPort = -1;
      WebVerticle web = null;
      for (List<ValentiaService> group : ServiceCatalog.byOrder(services)) {
        Map<ValentiaService, Future<?>> starting = new LinkedHashMap<>();
        for (ValentiaService service : group) {
          PlatformContext context =
              new PlatformContext(
                  vertx,
                  settings,
                  publisher,
                  config.dataDir().resolve(service.role()),
                  config.section(service.configSection()),
                  environment,
                  health,
                  stateTables,
                  api,
                  out,
                  broker,
                  elsewhere,
                  config.replica(),
                  platformKey);
          long serviceStart = System.nanoTime();
          starting.put(
              service,
              service.start(context).onSuccess(r -> times.took(service.role(), serviceStart)));
        }
        if (group.get(0).order() > 0) {
          // a later group (the web server) serves /health: the core's tables are read by then
          await(core);
          times.lap(EVENT_BUS_SERVICE);
        }
        await(Future.all(new ArrayList<>(starting.values())));
        for (Map.Entry<ValentiaService, Future<?>> entry : starting.entrySet()) {
          ValentiaService service = entry.getKey();
          if (WebService.ROLE.equals(service.role())
              && entry.getValue().result() instanceof WebVerticle server) {
            web = server; // the web service answers with its running server
            httpPort = server.actualPort();
          }
          if (!health.hasService(service.role())) {
            health.service(service.role(), ServiceStatus.running(service.description()));
          }
        }
        times.lap("services " + group.stream().map(ValentiaService::role).toList());
      }
      await(core);
      int metricsPort = await(metrics.listen(vertx, out));
      if (!config.roles().contains(WebService.ROLE)) {
        // no web role here: the roles' own API on this process's port, for the gateway elsewhere
        httpPort =
            await(
                RoleApiServer.start(
                    vertx,
                    WebConfig.of(config.section("http")),
                    stateTables,
                    health,
                    api,
                    publisher,
                    environment.get("VALENTIA_ADMIN_TOKEN")));
        times.lap("role API server");
      }
      Platform platform =
          new Platform(
              broker,
              vertx,
              publisher,
              health,
              stateTables,
              bootstrap,
              httpPort,
              metrics,
              metricsPort,
              web);
      out.printf(
          "Valentia is up in %d ms: Kafka %s%s%s, roles %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          bootstrap,
          broker != null
              ? " (embedded, data in " + broker.dataDir() + ")"
              : " (from " + config.kafka().bootstrapOrigin() + ")",
          httpPort > 0 ? ", http://" + config.http().host() + ":" + httpPort : "",
          config.roles());
      LOG.info("start-up, ms since the JVM started: {}", times);
      return platform;
    } catch (RuntimeException e) {
      if (vertx == null) {
        vertxReady.thenAccept(Vertx::close);
      }
      new Platform(broker, vertx, publisher, health, stateTables, bootstrap, -1, metrics, -1, null)
          .close();
      throw e;
    }
  }

  /**
   * Creates Vert.x and runs each service's {@link ValentiaService#prepare} on a thread of their
   * own; the future completes with Vert.x (a failed preparation is only logged).
   */
  private static CompletableFuture<Vertx> prepare(
      List<ValentiaService> services, StartTimes times, MetricsEndpoint metrics) {
    CompletableFuture<Vertx> vertx = new CompletableFuture<>();
    Thread preparing =
        new Thread(
            () -> {
              try {
                vertx.complete(metrics.vertx());
              } catch (RuntimeException | Error e) {
                vertx.completeExceptionally(e);
                return;
              }
              for (ValentiaService service : services) {
                try {
                  service.prepare();
                } catch (RuntimeException | LinkageError e) {
                  LOG.warn("{} could not prepare its start: {}", service.role(), e.toString());
                }
              }
              times.lap("preparations");
            },
            "valentia-prepare");
    preparing.setDaemon(true);
    preparing.start();
    return vertx;
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  /** The web server's port, or -1 when this process has no web role. */
  public int httpPort() {
    return httpPort;
  }

  /**
   * Every route the web server answers under {@code /api/v1} and {@code /health}, as {@code METHOD
   * /path} with {@code {name}} parameters; empty when this process has no web role.
   */
  public List<String> apiRoutes() {
    return web == null ? List.of() : web.apiRoutes();
  }

  /** The port of {@code GET /metrics}, or -1 when metrics are not served. */
  public int metricsPort() {
    return metricsPort;
  }

  /** Stops services, then clients, then the broker; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long started = System.nanoTime();
    if (health != null) {
      health.close();
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("Vert.x did not stop cleanly: {}", e.toString());
      }
    }
    if (stateTables != null) {
      stateTables.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    LOG.info("stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /**
   * How long a start step may take: beyond every service's own bound (incident detection waits up
   * to 3 minutes for its stores after a crash), so that a slow recovery ends in that service's own
   * message, or in success, rather than in a start given up half-way and tried again from scratch.
   */
  private static final Duration START_STEP_TIMEOUT = Duration.ofMinutes(4);

  private static <T> T await(Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(START_STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    } catch (Exception e) {
      throw new IllegalStateException("a service did not start in time", e);
    }
  }
}
