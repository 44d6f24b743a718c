package io.valentia.probes.leases;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import io.valentia.eventbus.health.ServiceStatus;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import io.valentia.eventbus.service.ServiceContext;
import io.valentia.probes.ProbeComponent;
import io.valentia.probes.frames.FrameEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code probes.leases}: the lease service and API (on by default), the kernel file-lease watcher
 * ({@code /proc/locks}) and, where {@code /sys/class/drm} exists, the DRM lease uevent watcher.
 *
 * <pre>
 * probes:
 *   leases:
 *     enabled: true
 *     processEvents: true    # watch lessee pids through the kernel's process events (root)
 *     fileLeases: true       # follow /proc/locks: the file leases on granted resources (a
 *                            # lease service resource that is a path) or held by their lessees,
 *     fileLeasePaths: []     # and on these files or under these directories,
 *     allFileLeases: false   # or every file lease on the machine (other programs' too)
 *     drm: true              # follow DRM lease uevents (only where /sys/class/drm exists),
 *                            # reading lessees from /sys/kernel/debug/dri/MINOR/clients
 * </pre>
 */
public final class LeasesProbe implements ProbeComponent {
  private static final Logger LOG = LoggerFactory.getLogger(LeasesProbe.class);
  private static final List<Field<?>> FIELDS =
      List.of(
          flag("enabled"),
          flag("processEvents"),
          flag("fileLeases"),
          Field.node("fileLeasePaths"),
          flag("allFileLeases"),
          flag("drm"));

  private static Field<Boolean> flag(String name) {
    return Field.bool(name).invalid(node -> "must be true or false, found " + node);
  }

  @Override
  public String name() {
    return "leases";
  }

  @Override
  public boolean enabledByDefault() {
    return true;
  }

  @Override
  public List<String> checkConfig(JsonNode config) {
    ConfigSection section = ConfigSection.of(config);
    if (!config.isObject()) {
      section.problem("(section)", "must be a mapping");
      return section.problemLines();
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    FIELDS.forEach(section::get);
    ConfigSection paths = section.section("fileLeasePaths");
    if (!paths.isAbsent() && !paths.node().isArray()) {
      paths.problem("", "must be a list of absolute paths, found " + paths.node());
    }
    for (ConfigSection path : paths.items("")) {
      if (!path.node().isTextual() || !path.node().asText().startsWith("/")) {
        paths.problem("", "must be absolute paths, found " + path.node());
      }
    }
    return section.problemLines();
  }

  @Override
  public Future<?> start(ServiceContext context, JsonNode config) {
    Vertx vertx = context.vertx();
    String host = FrameEvents.hostName();
    Router router = Router.router(vertx);
    LeaseVerticle leases =
        new LeaseVerticle(
            context.publisher(),
            context.stateTables(),
            context.console()::println,
            host,
            router,
            config.path("processEvents").asBoolean(true));
    context.api().mount("/leases", router);
    Future<?> started = vertx.deployVerticle(leases);
    String fileLeases = "no file leases";
    if (config.path("fileLeases").asBoolean(true) && Files.isReadable(Path.of("/proc/locks"))) {
      FileLeaseScope scope = fileLeaseScope(context, config);
      startFileLeases(vertx, context.publisher(), host, scope);
      fileLeases = scope.describe();
    }
    String files = fileLeases;
    if (config.path("drm").asBoolean(true) && Files.isDirectory(Path.of("/sys/class/drm"))) {
      startDrmUevents(context.publisher(), host);
    }
    return started.onSuccess(
        id ->
            context
                .health()
                .service(
                    "leases",
                    ServiceStatus.running(
                        "lessee processes watched by " + leases.watchMode() + "; " + files)));
  }

  /**
   * The leases to watch: those on the configured paths, on the resources of the leases in {@link
   * Topics#STATE_LEASES} (every lease service's grants) or held by their lessees; all of them when
   * {@code allFileLeases} is set.
   */
  static FileLeaseScope fileLeaseScope(ServiceContext context, JsonNode config) {
    List<Path> named = new ArrayList<>();
    config.path("fileLeasePaths").forEach(p -> named.add(Path.of(p.asText())));
    StateTables tables = context.stateTables();
    Supplier<Collection<GrantedLease>> granted =
        tables == null
            ? List::of
            : () -> tables.open(Topics.STATE_LEASES, GrantedLease.class).snapshot().values();
    return new FileLeaseScope(
        config.path("allFileLeases").asBoolean(false),
        named,
        () -> granted.get().stream().map(GrantedLease::resource).toList(),
        () ->
            granted.get().stream()
                .map(l -> l.lessee() == null ? null : l.lessee().pid())
                .filter(Objects::nonNull)
                .collect(Collectors.toSet()));
  }

  /** Publishes the kernel's file leases in {@code scope} as they appear, break and go. */
  static void startFileLeases(
      Vertx vertx, EventPublisher publisher, String host, FileLeaseScope scope) {
    String source = "/leases/" + host + "/file";
    KernelLeaseWatcher watcher =
        new KernelLeaseWatcher(
            Path.of("/proc/locks"),
            scope,
            change -> publish(publisher, source, fileLeaseEvent(change)));
    vertx.setPeriodic(
        250,
        id ->
            vertx.executeBlocking(
                () -> {
                  synchronized (watcher) {
                    watcher.poll();
                  }
                  return null;
                },
                false));
  }

  private static EventPayload fileLeaseEvent(KernelLeaseWatcher.Change change) {
    String id = "file:" + change.lease().key();
    Lessee lessee =
        new Lessee(change.holder(), change.lease().pid() > 0 ? change.lease().pid() : null);
    long breakMs = leaseBreakSeconds() * 1000L;
    return switch (change.state()) {
      case ACTIVE ->
          new LeaseGranted(
              id, change.path(), lessee, Math.max(1, breakMs), Instant.now().plusMillis(breakMs));
      case BREAKING ->
          new LeaseRevoked(
              id,
              change.path(),
              lessee,
              "lessor-revoke",
              "breaking: another process opened the file; the kernel takes the lease back after "
                  + breakMs / 1000
                  + " s unless the holder lets go");
      case GONE -> new LeaseRevoked(id, change.path(), lessee, "lessee-exit", "the lease is gone");
    };
  }

  private static void publish(EventPublisher publisher, String source, EventPayload payload) {
    String subject =
        payload instanceof LeaseGranted g ? g.resource() : ((LeaseRevoked) payload).resource();
    publisher
        .publish(CloudEvent.of(payload).source(source).subject(subject).build())
        .onFailure(e -> LOG.warn("could not publish a file lease change: {}", e.toString()));
  }

  private static int leaseBreakSeconds() {
    try {
      return Integer.parseInt(Files.readString(Path.of("/proc/sys/fs/lease-break-time")).strip());
    } catch (IOException | NumberFormatException e) {
      return 45;
    }
  }

  /**
   * Follows DRM uevents through {@code udevadm monitor --kernel --property} on a thread of its own
   * (Java cannot open the uevent netlink socket); a {@code LEASE=1} change makes the {@link
   * DrmLeaseWatcher} read the device's lessees again from debugfs and publish what changed. The
   * lessees of every card are read once at the start.
   */
  private static void startDrmUevents(EventPublisher publisher, String host) {
    DrmLeaseWatcher watcher =
        new DrmLeaseWatcher(
            LesseeSource.debugfs(Path.of("/sys/kernel/debug/dri")),
            publisher,
            host,
            Path.of("/proc"));
    Thread thread =
        new Thread(
            () -> {
              readCards(watcher);
              try {
                Process udevadm =
                    new ProcessBuilder(
                            "udevadm", "monitor", "--kernel", "--property", "--subsystem-match=drm")
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                watcher.follow(
                    new BufferedReader(
                        new InputStreamReader(udevadm.getInputStream(), StandardCharsets.UTF_8)));
              } catch (IOException e) {
                LOG.warn("cannot follow DRM uevents (udevadm): {}", e.getMessage());
              }
            },
            "valentia-drm-uevents");
    thread.setDaemon(true);
    thread.start();
  }

  /** Reads the lessees of every card in {@code /sys/class/drm} ({@code dev} is MAJOR:MINOR). */
  private static void readCards(DrmLeaseWatcher watcher) {
    try (var cards = Files.list(Path.of("/sys/class/drm"))) {
      for (Path card : (Iterable<Path>) cards::iterator) {
        String name = card.getFileName().toString();
        if (name.matches("card\\d+")) {
          String dev = Files.readString(card.resolve("dev")).strip();
          watcher.query(Integer.parseInt(dev.substring(dev.indexOf(':') + 1)), "/dev/dri/" + name);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot list the DRM cards: {}", e.toString());
    }
  }
}
