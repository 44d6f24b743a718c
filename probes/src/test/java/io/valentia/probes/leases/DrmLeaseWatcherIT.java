package io.valentia.probes.leases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DRM lease uevents as {@code udevadm monitor --kernel --property} prints them, with the lessees in
 * a debugfs-format clients file under a temporary directory (there is no DRM device here), and the
 * lease events on the real Kafka.
 */
class DrmLeaseWatcherIT {
  private static final String LEASE_UEVENT =
      "KERNEL[5032.871912] change   /devices/pci0000:00/0000:00:02.0/drm/card0 (drm)\n"
          + "ACTION=change\n"
          + "DEVPATH=/devices/pci0000:00/0000:00:02.0/drm/card0\n"
          + "SUBSYSTEM=drm\n"
          + "LEASE=1\n"
          + "DEVNAME=dri/card0\n"
          + "DEVTYPE=drm_minor\n"
          + "SEQNUM=4381\n"
          + "MAJOR=226\n"
          + "MINOR=0\n"
          + "\n";
  private static final String HOTPLUG_UEVENT =
      "KERNEL[5033.100000] change   /devices/pci0000:00/0000:00:02.0/drm/card0 (drm)\n"
          + "ACTION=change\n"
          + "DEVPATH=/devices/pci0000:00/0000:00:02.0/drm/card0\n"
          + "SUBSYSTEM=drm\n"
          + "HOTPLUG=1\n"
          + "DEVNAME=dri/card0\n"
          + "SEQNUM=4382\n"
          + "MAJOR=226\n"
          + "MINOR=0\n"
          + "\n";
  private static final Object[] LESSOR = {"gnome-shell", 1234, 0, 'y', 'y', 1000, 0};

  @TempDir Path debugfs;
  private Path clientsFile;
  private Vertx vertx;
  private KafkaEventPublisher publisher;
  private final String host = "drm-it-" + UUID.randomUUID().toString().substring(0, 8);
  private final AtomicInteger reads = new AtomicInteger();
  private DrmLeaseWatcher watcher;
  private Process lesseeProcess;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), "drm-it");
    clientsFile = debugfs.resolve("0/clients");
    Files.createDirectories(clientsFile.getParent());
    Files.writeString(clientsFile, DrmClientTest.clients(LESSOR));
    LesseeSource debugfsFiles = LesseeSource.debugfs(debugfs);
    LesseeSource counted =
        minor -> {
          reads.incrementAndGet();
          return debugfsFiles.clients(minor);
        };
    watcher = new DrmLeaseWatcher(counted, publisher, host, Path.of("/proc"));
    lesseeProcess = new ProcessBuilder("sleep", "120").start();
  }

  @AfterEach
  void stop() throws Exception {
    lesseeProcess.destroyForcibly();
    publisher.close();
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "A LEASE=1 uevent after a lessee appeared in the clients file publishes lease.granted for"
          + " the device; after the lessee's process ended and its file closed, lease.revoked with"
          + " lessee-exit")
  void grantedThenLesseeExit() throws Exception {
    follow(LEASE_UEVENT); // the lessor alone: nothing to publish
    long pid = lesseeProcess.pid();
    Files.writeString(
        clientsFile,
        DrmClientTest.clients(LESSOR, new Object[] {"monado-service", pid, 0, 'y', 'y', 1000, 0}));
    follow(LEASE_UEVENT);

    List<CloudEvent> granted = awaitEvents(1);
    CloudEvent grant = granted.get(0);
    assertThat(grant.type()).isEqualTo(EventType.LEASE_GRANTED.type());
    assertThat(grant.subject()).isEqualTo("/dev/dri/card0");
    assertThat(grant.data().path("resource").asText()).isEqualTo("/dev/dri/card0");
    assertThat(grant.data().path("lessee").path("name").asText()).isEqualTo("monado-service");
    assertThat(grant.data().path("lessee").path("pid").asLong()).isEqualTo(pid);
    assertThat(grant.data().path("expiresAt").asText()).startsWith("9999-12-31T23:59:59");

    lesseeProcess.destroyForcibly().waitFor();
    Files.writeString(clientsFile, DrmClientTest.clients(LESSOR));
    follow(LEASE_UEVENT);

    CloudEvent revoke = awaitEvents(2).get(1);
    assertThat(revoke.type()).isEqualTo(EventType.LEASE_REVOKED.type());
    assertThat(revoke.subject()).isEqualTo("/dev/dri/card0");
    assertThat(revoke.data().path("leaseId").asText())
        .isEqualTo(grant.data().path("leaseId").asText());
    assertThat(revoke.data().path("reason").asText()).isEqualTo("lessee-exit");
    assertThat(revoke.data().path("detail").asText())
        .contains("process " + pid + " (monado-service) has ended");
    assertThat(reads).hasValue(3);
  }

  @Test
  @DisplayName(
      "When the lessor drops the device, its lessee's file stays open but is no longer a master:"
          + " lease.revoked with lessor-revoke")
  void lessorRevokes() throws Exception {
    long pid = lesseeProcess.pid();
    Files.writeString(
        clientsFile,
        DrmClientTest.clients(LESSOR, new Object[] {"monado-service", pid, 0, 'y', 'y', 1000, 0}));
    follow(LEASE_UEVENT);
    awaitEvents(1);

    Files.writeString(
        clientsFile,
        DrmClientTest.clients(
            new Object[] {"gnome-shell", 1234, 0, 'n', 'y', 1000, 0},
            new Object[] {"monado-service", pid, 0, 'n', 'y', 1000, 0}));
    follow(LEASE_UEVENT);

    CloudEvent revoke = awaitEvents(2).get(1);
    assertThat(revoke.type()).isEqualTo(EventType.LEASE_REVOKED.type());
    assertThat(revoke.data().path("reason").asText()).isEqualTo("lessor-revoke");
    assertThat(revoke.data().path("lessee").path("pid").asLong()).isEqualTo(pid);
  }

  @Test
  @DisplayName(
      "A DRM uevent without LEASE=1 (a hotplug) does not read the lessees again, so a changed"
          + " clients file publishes nothing until a lease uevent")
  void hotplugDoesNotRequery() throws Exception {
    follow(LEASE_UEVENT);
    assertThat(reads).hasValue(1);
    Files.writeString(
        clientsFile,
        DrmClientTest.clients(
            LESSOR, new Object[] {"monado-service", lesseeProcess.pid(), 0, 'y', 'y', 1000, 0}));

    follow(HOTPLUG_UEVENT);
    assertThat(reads).hasValue(1);

    follow(LEASE_UEVENT);
    assertThat(reads).hasValue(2);
    assertThat(awaitEvents(1).get(0).type()).isEqualTo(EventType.LEASE_GRANTED.type());
    // the hotplug published nothing: the one event is the grant the lease uevent found
    assertThat(events()).hasSize(1);
  }

  private void follow(String udevadmOutput) throws Exception {
    watcher.follow(new BufferedReader(new StringReader(udevadmOutput)));
  }

  private List<CloudEvent> awaitEvents(int count) {
    await().atMost(Duration.ofSeconds(30)).until(() -> events().size() >= count);
    return events();
  }

  private List<CloudEvent> events() {
    String source = "/leases/" + host + "/drm";
    return KafkaTestSupport.readAll(Topics.EVENTS).stream()
        .map(r -> EventCodec.instance().decode(r.value()))
        .filter(e -> source.equals(e.source()))
        .toList();
  }
}
