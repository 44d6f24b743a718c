package io.valentia.chaos.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What undoes an injection, written as data before the injection so that another process can undo
 * it after the injector that made it was killed. An undo is a JSON array of steps, each an object
 * with a {@code kind}:
 *
 * <ul>
 *   <li>{@code signal} {@code pid}, {@code signal}, {@code processStart}: send a signal (SIGCONT
 *       after a pause) unless the process is gone or its pid now belongs to another process;
 *   <li>{@code nft-table} {@code namespace}, {@code table}: delete an nftables {@code inet} table;
 *   <li>{@code mtu} {@code namespace}, {@code interface}, {@code mtu}: set an interface's MTU back;
 *   <li>{@code cgroup-quota} {@code cgroup}, {@code v2}, {@code previous}: restore a CPU quota;
 *   <li>{@code cgroup-move} {@code pid}, {@code to}, {@code remove}: move a process back to its
 *       cgroup and remove the cgroup made for it;
 *   <li>{@code delete-file} {@code path}: delete a file;
 *   <li>{@code signal-marked} {@code mark}, {@code signal}: send a signal to every process whose
 *       environment holds {@code VALENTIA_FAULT_MARK=mark} (a helper the fault started, such as
 *       strace, whose pid is not known before it starts).
 * </ul>
 *
 * Every step is idempotent and counts a target that is gone as undone, so an undo may run after the
 * injection only half happened, or twice. The same code undoes a fault in the process that injected
 * it and after a crash.
 */
public final class Undo {
  private Undo() {}

  /** A new, empty list of steps. */
  public static ArrayNode steps() {
    return EventCodec.MAPPER.createArrayNode();
  }

  static ObjectNode signal(long pid, String signal) {
    ObjectNode step =
        EventCodec.MAPPER
            .createObjectNode()
            .put("kind", "signal")
            .put("pid", pid)
            .put("signal", signal);
    processStart(pid).ifPresent(start -> step.put("processStart", start.toString()));
    return step;
  }

  static ObjectNode nftTable(String namespace, String table) {
    ObjectNode step =
        EventCodec.MAPPER.createObjectNode().put("kind", "nft-table").put("table", table);
    if (namespace != null) {
      step.put("namespace", namespace);
    }
    return step;
  }

  static ObjectNode mtu(String namespace, String iface, long mtu) {
    ObjectNode step =
        EventCodec.MAPPER
            .createObjectNode()
            .put("kind", "mtu")
            .put("interface", iface)
            .put("mtu", mtu);
    if (namespace != null) {
      step.put("namespace", namespace);
    }
    return step;
  }

  static ObjectNode cgroupQuota(Path cgroup, boolean v2, String previous) {
    return EventCodec.MAPPER
        .createObjectNode()
        .put("kind", "cgroup-quota")
        .put("cgroup", cgroup.toString())
        .put("v2", v2)
        .put("previous", previous);
  }

  static ObjectNode cgroupMove(long pid, Path to, Path remove) {
    return EventCodec.MAPPER
        .createObjectNode()
        .put("kind", "cgroup-move")
        .put("pid", pid)
        .put("to", to.toString())
        .put("remove", remove.toString());
  }

  static ObjectNode deleteFile(Path path) {
    return EventCodec.MAPPER
        .createObjectNode()
        .put("kind", "delete-file")
        .put("path", path.toString());
  }

  /** The environment variable that marks the processes a fault starts. */
  public static final String MARK_VARIABLE = "VALENTIA_FAULT_MARK";

  static ObjectNode signalMarked(String mark, String signal) {
    return EventCodec.MAPPER
        .createObjectNode()
        .put("kind", "signal-marked")
        .put("mark", mark)
        .put("signal", signal);
  }

  /** The pids whose environment holds {@code VALENTIA_FAULT_MARK=mark}. */
  static List<Long> markedProcesses(String mark) {
    byte[] wanted = (MARK_VARIABLE + "=" + mark).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<Long> found = new ArrayList<>();
    try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs::iterator) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          byte[] environ = Files.readAllBytes(proc.resolve("environ"));
          if (holds(environ, wanted)) {
            found.add(Long.parseLong(name));
          }
        } catch (IOException | SecurityException gone) {
          // exited, or not ours to read
        }
      }
    } catch (IOException e) {
      return found;
    }
    return found;
  }

  /** Whether the NUL-separated {@code environ} has the entry {@code wanted}. */
  private static boolean holds(byte[] environ, byte[] wanted) {
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start == wanted.length
            && java.util.Arrays.equals(environ, start, i, wanted, 0, wanted.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /**
   * Carries out every step of {@code undo}, in order, going on after a step fails.
   *
   * @throws FaultException naming every step that failed
   */
  public static void run(JsonNode undo) throws FaultException {
    if (undo == null || undo.isNull() || undo.isMissingNode()) {
      return;
    }
    List<String> failures = new ArrayList<>();
    for (JsonNode step : undo.isArray() ? undo : steps().add(undo)) {
      try {
        runStep(step);
      } catch (FaultException e) {
        failures.add(e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new FaultException(String.join("; ", failures));
    }
  }

  private static void runStep(JsonNode step) throws FaultException {
    String kind = step.path("kind").asText();
    switch (kind) {
      case "signal" -> {
        long pid = step.path("pid").asLong();
        if (pid > 1 && sameProcess(pid, step.path("processStart").asText(null))) {
          HostCommand.Result result =
              HostCommand.run(
                  List.of("kill", "-" + step.path("signal").asText(), Long.toString(pid)),
                  null,
                  Duration.ofSeconds(10));
          if (!result.ok() && ProcessFaults.alive(pid)) {
            throw new FaultException("cannot signal pid " + pid + ": " + result.message());
          }
        }
      }
      case "nft-table" -> {
        String namespace = step.path("namespace").asText(null);
        String table = step.path("table").asText();
        List<String> argv = new ArrayList<>();
        if (namespace != null) {
          argv.addAll(List.of("ip", "netns", "exec", namespace));
        }
        argv.addAll(List.of("nft", "delete", "table", "inet", table));
        HostCommand.Result deleted = HostCommand.run(argv, null, Duration.ofSeconds(10));
        if (!deleted.ok()
            && !deleted.message().contains("No such file")
            && !(namespace != null && deleted.message().contains("netns"))) {
          throw new FaultException(
              "cannot delete nftables table " + table + ": " + deleted.message());
        }
      }
      case "mtu" -> {
        String namespace = step.path("namespace").asText(null);
        String iface = step.path("interface").asText();
        long mtu = step.path("mtu").asLong();
        List<String> argv = new ArrayList<>(List.of("ip"));
        if (namespace != null) {
          argv.addAll(List.of("-n", namespace));
        }
        argv.addAll(List.of("link", "set", "dev", iface, "mtu", Long.toString(mtu)));
        HostCommand.Result result = HostCommand.run(argv, null, Duration.ofSeconds(10));
        if (!result.ok()
            && !result.message().contains("Cannot find device")
            && !result.message().contains("netns")) {
          throw new FaultException(
              "cannot restore MTU " + mtu + " on " + iface + ": " + result.message());
        }
      }
      case "cgroup-quota" -> {
        Path cgroup = Path.of(step.path("cgroup").asText());
        new CpuQuota.Hierarchy(cgroup.getParent(), step.path("v2").asBoolean())
            .restoreQuota(cgroup, step.path("previous").asText());
      }
      case "cgroup-move" -> {
        long pid = step.path("pid").asLong();
        Path to = Path.of(step.path("to").asText());
        Path remove = Path.of(step.path("remove").asText());
        try {
          if (ProcessFaults.alive(pid) && Files.isDirectory(remove)) {
            String procs = Files.readString(remove.resolve("cgroup.procs"));
            if (procs.lines().anyMatch(l -> l.strip().equals(Long.toString(pid)))) {
              Files.writeString(to.resolve("cgroup.procs"), Long.toString(pid));
            }
          }
        } catch (IOException e) {
          throw new FaultException("cannot move pid " + pid + " back to " + to + ": " + e, e);
        } finally {
          try {
            Files.deleteIfExists(remove);
          } catch (IOException e) {
            // a cgroup with processes left cannot be removed; reported by the move above
          }
        }
      }
      case "delete-file" -> {
        try {
          Files.deleteIfExists(Path.of(step.path("path").asText()));
        } catch (IOException e) {
          throw new FaultException("cannot delete " + step.path("path").asText() + ": " + e, e);
        }
      }
      case "signal-marked" -> {
        String mark = step.path("mark").asText();
        if (mark.isEmpty()) {
          throw new FaultException("signal-marked step without a mark: " + step);
        }
        for (long pid : markedProcesses(mark)) {
          HostCommand.Result result =
              HostCommand.run(
                  List.of("kill", "-" + step.path("signal").asText(), Long.toString(pid)),
                  null,
                  Duration.ofSeconds(10));
          if (!result.ok() && ProcessFaults.alive(pid)) {
            throw new FaultException("cannot signal pid " + pid + ": " + result.message());
          }
        }
      }
      default -> throw new FaultException("unknown undo step " + step);
    }
  }

  /** When {@code pid} started; empty when it is gone or the kernel does not say. */
  static java.util.Optional<Instant> processStart(long pid) {
    return ProcessHandle.of(pid).flatMap(p -> p.info().startInstant());
  }

  /** Whether {@code pid} is the process that started at {@code start} (null: any process). */
  private static boolean sameProcess(long pid, String start) {
    if (!ProcessFaults.alive(pid)) {
      return false;
    }
    if (start == null) {
      return true;
    }
    return processStart(pid).map(s -> s.toString().equals(start)).orElse(true);
  }
}
