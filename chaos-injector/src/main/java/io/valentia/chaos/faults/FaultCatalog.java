package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.eventbus.service.BrokerControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every fault this injector knows, by name. Immutable and thread-safe. */
public final class FaultCatalog {
  private final Map<String, Fault> faults = new LinkedHashMap<>();

  private FaultCatalog(List<Fault> faults) {
    faults.forEach(f -> this.faults.put(f.name(), f));
  }

  /**
   * The faults of this machine, with cgroups under {@code /sys/fs/cgroup}, without a broker to stop
   * ({@code kafka-outage} is reported as unavailable) and with this process's environment.
   */
  public static FaultCatalog standard() {
    return standard(Optional.empty(), System.getenv());
  }

  /**
   * The faults of this machine, with what the platform offers.
   *
   * @param broker the embedded broker {@code kafka-outage} stops; empty when there is none
   * @param environment where {@code lease-revoke} finds {@code VALENTIA_URL} and {@code
   *     VALENTIA_TOKEN} when its arguments do not name them
   */
  public static FaultCatalog standard(
      Optional<BrokerControl> broker, Map<String, String> environment) {
    return create(Path.of("/sys/fs/cgroup"), broker.orElse(null), environment);
  }

  /** The standard faults with cgroups under {@code cgroupRoot}. */
  public static FaultCatalog withCgroupRoot(Path cgroupRoot) {
    return create(cgroupRoot, null, System.getenv());
  }

  private static FaultCatalog create(
      Path cgroupRoot, BrokerControl broker, Map<String, String> environment) {
    return new FaultCatalog(
        List.of(
            new NetworkFaults.Partition(),
            new NetworkFaults.Loss(),
            new LatencyProxy(),
            new NetworkFaults.Mtu(),
            new ProcessFaults.Pause(),
            new ProcessFaults.Kill(),
            new CpuQuota(cgroupRoot),
            new Hogs.Cpu(),
            new Hogs.Memory(Path.of("/dev/shm")),
            new SeccompFault(),
            new SyscallInject(),
            new LeaseRevoke(environment),
            new KafkaOutage(broker)));
  }

  /** A catalog of exactly {@code faults} (tests). */
  public static FaultCatalog of(List<Fault> faults) {
    return new FaultCatalog(faults);
  }

  public List<String> names() {
    return List.copyOf(faults.keySet());
  }

  public boolean has(String name) {
    return faults.containsKey(name);
  }

  public Optional<Fault> find(String name) {
    return Optional.ofNullable(faults.get(name));
  }

  /** Every fault with its summary, for help and plans. */
  public Map<String, String> summaries() {
    Map<String, String> out = new LinkedHashMap<>();
    faults.forEach((name, f) -> out.put(name, f.summary()));
    return out;
  }

  /**
   * Problems of a fault's arguments (empty when fine), without touching anything.
   *
   * @param arguments read in checking mode when validating a file
   */
  public List<String> check(String name, Arguments arguments) {
    Fault fault = faults.get(name);
    if (fault == null) {
      return List.of("unknown fault " + name + " (known: " + String.join(", ", names()) + ")");
    }
    plan(fault, arguments);
    return arguments.problems();
  }

  /** Reads a fault's targets and duration, recording problems in {@code arguments}. */
  static Plan plan(Fault fault, Arguments arguments) {
    List<Target> targets = new ArrayList<>(fault.targets(arguments));
    Duration duration =
        fault.durationOptional() && !arguments.has("duration")
            ? Duration.ZERO
            : arguments.duration("duration");
    return new Plan(targets, duration);
  }

  /** What an injection would touch and for how long. */
  record Plan(List<Target> targets, Duration duration) {}
}
