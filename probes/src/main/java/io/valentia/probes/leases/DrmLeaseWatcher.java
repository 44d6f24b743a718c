package io.valentia.probes.leases;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LeaseGranted;
import io.valentia.eventbus.payload.LeaseRevoked;
import io.valentia.eventbus.payload.Lessee;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns DRM lease uevents into lease events. The kernel announces that a lease was created or ended
 * with a DRM {@code change} uevent carrying {@code LEASE=1} and nothing about which: on each such
 * uevent the watcher reads the device's lessees again from a {@link LesseeSource} and publishes
 * what changed, with subject and resource the device ({@code /dev/dri/card0}) and source {@code
 * /leases/HOST/drm}:
 *
 * <ul>
 *   <li>a new lessee: {@code lease.granted} (a DRM lease has no term: {@code expiresAt} is {@value
 *       #NO_END});
 *   <li>a lessee whose file is gone: {@code lease.revoked} {@code lessee-exit} (its process ended,
 *       or closed the lease while it runs; a crash cannot be told from an exit here);
 *   <li>a lessee whose file is still open but no longer a master: {@code lease.revoked} {@code
 *       lessor-revoke} (the lessor dropped or closed the device, which revokes its leases).
 * </ul>
 *
 * Lessees are the device's current masters after the first (the lessor, which opened the device
 * before it created the leases). Other uevents are ignored without reading anything. Not
 * thread-safe: one thread feeds it.
 */
public final class DrmLeaseWatcher {
  /** The {@code expiresAt} of a DRM lease, which lasts until it is revoked or its lessee exits. */
  public static final String NO_END = "9999-12-31T23:59:59Z";

  private static final Logger LOG = LoggerFactory.getLogger(DrmLeaseWatcher.class);
  private static final Pattern MINOR_IN_NAME = Pattern.compile("(?:card|controlD|renderD)(\\d+)$");

  private final LesseeSource source;
  private final EventPublisher publisher;
  private final String eventSource;
  private final Path proc;
  private final Map<Integer, Map<String, DrmClient>> lessees = new HashMap<>();
  private long queries;

  /**
   * @param source where the lessees are read
   * @param publisher where the lease events go
   * @param host this host, for the event source {@code /leases/HOST/drm}
   * @param proc {@code /proc}, to tell whether a lessee's process still runs
   */
  public DrmLeaseWatcher(LesseeSource source, EventPublisher publisher, String host, Path proc) {
    this.source = source;
    this.publisher = publisher;
    this.eventSource = "/leases/" + host + "/drm";
    this.proc = proc;
  }

  /**
   * Reads {@code udevadm monitor --kernel --property} output until it ends, handling each uevent as
   * it completes. Blocking.
   */
  public void follow(BufferedReader udevadm) throws IOException {
    Uevent.Parser parser = new Uevent.Parser();
    String line;
    while ((line = udevadm.readLine()) != null) {
      parser.accept(line).forEach(this::accept);
    }
    parser.finish().forEach(this::accept);
  }

  /** Handles one uevent: a DRM lease change makes it read that device's lessees again. */
  public void accept(Uevent event) {
    if (!event.isDrmLeaseChange()) {
      return;
    }
    Integer minor = minorOf(event);
    if (minor == null) {
      LOG.warn("DRM lease uevent without a minor number: {}", event);
      return;
    }
    query(minor, deviceOf(event));
  }

  /**
   * Reads the lessees of one device and publishes what changed since the last read (every lessee,
   * the first time). Blocking.
   *
   * @param device the device node, e.g. {@code /dev/dri/card0}
   * @return the lease events published
   */
  public List<EventPayload> query(int minor, String device) {
    queries++;
    List<DrmClient> clients;
    try {
      clients = source.clients(minor);
    } catch (IOException | DrmClient.FormatException e) {
      LOG.warn("cannot read the lessees of {} (DRM minor {}): {}", device, minor, e.toString());
      return List.of();
    }
    Map<String, DrmClient> files = keyed(clients);
    Map<String, DrmClient> now = new LinkedHashMap<>();
    boolean lessorSeen = false;
    for (Map.Entry<String, DrmClient> file : files.entrySet()) {
      if (file.getValue().master()) {
        if (lessorSeen) {
          now.put(file.getKey(), file.getValue());
        }
        lessorSeen = true;
      }
    }
    Map<String, DrmClient> before = lessees.getOrDefault(minor, Map.of());
    List<EventPayload> changes = new ArrayList<>();
    for (Map.Entry<String, DrmClient> lessee : now.entrySet()) {
      if (!before.containsKey(lessee.getKey())) {
        changes.add(granted(device, lessee.getKey(), lessee.getValue()));
      }
    }
    for (Map.Entry<String, DrmClient> gone : before.entrySet()) {
      if (!now.containsKey(gone.getKey())) {
        changes.add(revoked(device, gone.getKey(), gone.getValue(), files.get(gone.getKey())));
      }
    }
    lessees.put(minor, now);
    changes.forEach(this::publish);
    return changes;
  }

  /** How many times the lessees were read. */
  public long queries() {
    return queries;
  }

  /**
   * Keys that stay the same from one read to the next: the kernel's client id where the file has
   * it, else the process and command with a count for a process that holds several files.
   */
  private static Map<String, DrmClient> keyed(List<DrmClient> clients) {
    Map<String, DrmClient> keyed = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (DrmClient client : clients) {
      String key;
      if (client.id() != null) {
        key = "id" + client.id();
      } else {
        String process = client.tgid() + "-" + client.command().replaceAll("[^A-Za-z0-9._-]", "_");
        key = process + "-" + seen.merge(process, 1, Integer::sum);
      }
      keyed.put(key, client);
    }
    return keyed;
  }

  private LeaseGranted granted(String device, String key, DrmClient lessee) {
    Instant end = Instant.parse(NO_END);
    Instant now = Instant.now();
    return new LeaseGranted(
        leaseId(device, key),
        device,
        lessee(lessee),
        Math.max(1, Duration.between(now, end).toMillis()),
        end);
  }

  private LeaseRevoked revoked(String device, String key, DrmClient was, DrmClient file) {
    String id = leaseId(device, key);
    if (file != null) {
      return new LeaseRevoked(
          id,
          device,
          lessee(was),
          "lessor-revoke",
          "the lessee's file is open but no longer a master: the lessor dropped or closed the"
              + " device, which revokes its leases");
    }
    boolean running = was.tgid() > 0 && Files.isDirectory(proc.resolve(String.valueOf(was.tgid())));
    return new LeaseRevoked(
        id,
        device,
        lessee(was),
        "lessee-exit",
        running
            ? "the lessee closed its lease; process " + was.tgid() + " still runs"
            : "the lessee's process " + was.tgid() + " (" + was.command() + ") has ended");
  }

  private static Lessee lessee(DrmClient client) {
    String name = client.name() != null && !client.name().equals("<unset>") ? client.name() : null;
    return new Lessee(
        name != null ? name : client.command(), client.tgid() > 0 ? client.tgid() : null);
  }

  private static String leaseId(String device, String key) {
    return "drm:" + device.replaceFirst("^/dev/", "") + ":" + key;
  }

  private void publish(EventPayload payload) {
    String device =
        payload instanceof LeaseGranted g ? g.resource() : ((LeaseRevoked) payload).resource();
    publisher
        .publish(CloudEvent.of(payload).source(eventSource).subject(device).build())
        .onFailure(e -> LOG.warn("could not publish a DRM lease change: {}", e.toString()));
  }

  /** The minor from {@code MINOR=}, else from the device name at the end of the path. */
  static Integer minorOf(Uevent event) {
    String minor = event.properties().get("MINOR");
    if (minor != null && minor.matches("\\d+")) {
      return Integer.valueOf(minor);
    }
    Matcher m = MINOR_IN_NAME.matcher(event.devpath() == null ? "" : event.devpath());
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  /** The device node: {@code DEVNAME} under {@code /dev}, else {@code /dev/dri/} + the name. */
  static String deviceOf(Uevent event) {
    String name = event.properties().get("DEVNAME");
    if (name != null && !name.isBlank()) {
      return name.startsWith("/") ? name : "/dev/" + name;
    }
    String path = event.devpath() == null ? "drm" : event.devpath();
    return "/dev/dri/" + path.substring(path.lastIndexOf('/') + 1);
  }
}
