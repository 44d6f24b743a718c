package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.EventCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyscallInjectIT {

  private static ObjectNode args(String syscall, Path path, String... command) {
    ObjectNode args = EventCodec.MAPPER.createObjectNode();
    var syscalls = args.putArray("syscall");
    for (String name : syscall.split(",")) {
      syscalls.add(name);
    }
    args.putArray("paths").add(path.toString());
    var argv = args.putArray("command");
    for (String part : command) {
      argv.add(part);
    }
    return args.put("duration", "30s");
  }

  private static FaultInjector injector(String... kinds) {
    return new FaultInjector(FaultCatalog.standard(), Runs.allowing(kinds).policy());
  }

  private static String awaitLine(Path file) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(file) && Files.readString(file).endsWith("\n"));
    try {
      return Files.readString(file).strip();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName(
      "An openat of the chosen file fails with EACCES under the fault, so cat reports Permission denied and exits 1")
  void openFailsWithPermissionDenied(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("in"), "hello\n");
    Path result = dir.resolve("result");
    try (FaultInjector injector = injector("hosts")) {
      injector.inject(
          "run",
          "syscall-inject",
          args(
                  "openat",
                  in,
                  "sh",
                  "-c",
                  "cat "
                      + in
                      + " > "
                      + dir.resolve("copy")
                      + " 2> "
                      + dir.resolve("err")
                      + "; echo $? > "
                      + result)
              .put("error", "EACCES"));

      assertThat(awaitLine(result)).isEqualTo("1");
    }
    assertThat(Files.readString(dir.resolve("err"))).contains("Permission denied");
    assertThat(Files.readString(dir.resolve("copy"))).isEmpty();
  }

  @Test
  @DisplayName(
      "Writes to the chosen file fail with ENOSPC under the fault, so the writer sees a full disk")
  void writeFailsWithNoSpace(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("in"), "hello\n");
    Path out = dir.resolve("out");
    Path result = dir.resolve("result");
    try (FaultInjector injector = injector("hosts")) {
      injector.inject(
          "run",
          "syscall-inject",
          args(
                  "write,copy_file_range,sendfile", // cat copies with copy_file_range where it can
                  out,
                  "sh",
                  "-c",
                  "cat " + in + " > " + out + " 2> " + dir.resolve("err") + "; echo $? > " + result)
              .put("error", "ENOSPC"));

      assertThat(awaitLine(result)).isEqualTo("1");
    }
    assertThat(Files.readString(dir.resolve("err"))).contains("No space left on device");
    assertThat(Files.readString(out)).isEmpty();
  }

  @Test
  @DisplayName(
      "A delay fault holds each matching call: five opens delayed 200 ms each take at least 0.9 s, where they took milliseconds")
  void delaySlowsTheCommand(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("in"), "hello\n");
    Path elapsed = dir.resolve("elapsed");
    String script =
        "s=$(date +%s%N); for i in 1 2 3 4 5; do cat "
            + in
            + " > /dev/null; done; e=$(date +%s%N); echo $(( (e - s) / 1000000 )) > "
            + elapsed;
    try (FaultInjector injector = injector("hosts")) {
      injector.inject(
          "run", "syscall-inject", args("openat", in, "sh", "-c", script).put("delay", "200ms"));

      assertThat(Long.parseLong(awaitLine(elapsed)))
          .as("milliseconds for five delayed opens")
          .isBetween(900L, 20_000L);
    }
  }

  @Test
  @DisplayName(
      "Attached to a running process, the fault fails its opens only while active; after revert the process runs on and its opens succeed")
  void attachesAndDetaches(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("in"), "hello\n");
    Path log = dir.resolve("log");
    Process loop = openLoop(in, log);
    try (FaultInjector injector = injector("pids")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(log).contains("ok"));
      ObjectNode args =
          EventCodec.MAPPER
              .createObjectNode()
              .put("syscall", "openat")
              .put("error", "EACCES")
              .put("pid", loop.pid())
              .put("duration", "30s");
      args.putArray("paths").add(in.toString());
      injector.inject("run", "syscall-inject", args);

      await().atMost(Duration.ofSeconds(10)).until(() -> lines(log).contains("fail"));
      injector.revertAll("test");
      int afterRevert = lines(log).size();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> lines(log).stream().skip(afterRevert + 2).anyMatch("ok"::equals));
      assertThat(loop.isAlive()).as("the process runs on after strace detached").isTrue();
    } finally {
      loop.destroyForcibly();
    }
  }

  @Test
  @DisplayName(
      "After the injector dies, the undo it recorded first stops the attached strace: the process's"
          + " opens succeed again")
  void recordedUndoStopsStrace(@TempDir Path dir) throws Exception {
    Path in = Files.writeString(dir.resolve("in"), "hello\n");
    Path log = dir.resolve("log");
    Process loop = openLoop(in, log);
    List<io.valentia.eventbus.payload.ChaosFault> recorded =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    io.valentia.chaos.journal.FaultJournal journal =
        new io.valentia.chaos.journal.FaultJournal() {
          @Override
          public void applying(io.valentia.eventbus.payload.ChaosFault record) {
            recorded.add(record);
          }

          @Override
          public void settled(io.valentia.eventbus.payload.ChaosFault record) {}
        };
    FaultInjector injector =
        new FaultInjector(
            FaultCatalog.standard(),
            Runs.allowing("pids").policy(),
            java.time.Clock.systemUTC(),
            journal);
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(log).contains("ok"));
      ObjectNode args =
          EventCodec.MAPPER
              .createObjectNode()
              .put("syscall", "openat")
              .put("error", "EACCES")
              .put("pid", loop.pid())
              .put("duration", "5m");
      args.putArray("paths").add(in.toString());
      injector.inject("run", "syscall-inject", args);
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(log).contains("fail"));

      // the injector is gone without reverting: what another injector does after a crash
      assertThat(recorded).singleElement().satisfies(r -> assertThat(r.undo()).isNotNull());
      Undo.run(recorded.get(0).undo());
      int afterUndo = lines(log).size();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> lines(log).stream().skip(afterUndo + 2).anyMatch("ok"::equals));
      assertThat(Undo.markedProcesses(recorded.get(0).undo().get(0).path("mark").asText()))
          .as("no marked strace is left")
          .isEmpty();
      assertThat(loop.isAlive()).as("the process runs on after strace detached").isTrue();
    } finally {
      injector.revertAll("test");
      injector.close();
      loop.destroyForcibly();
    }
  }

  /**
   * A process that reads {@code in} every 50 ms and logs {@code ok} or {@code fail} to {@code log}.
   */
  private static Process openLoop(Path in, Path log) throws java.io.IOException {
    return new ProcessBuilder(
            "sh",
            "-c",
            "while true; do if cat "
                + in
                + " > /dev/null 2>&1; then echo ok >> "
                + log
                + "; else echo fail >> "
                + log
                + "; fi; sleep 0.05; done")
        .start();
  }

  private static List<String> lines(Path file) throws java.io.IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
