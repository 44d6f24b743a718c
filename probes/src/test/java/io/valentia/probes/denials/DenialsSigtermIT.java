package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.probes.ProbesCliMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("valentia probe denials in its own process")
class DenialsSigtermIT {
  @TempDir Path dir;

  @Test
  @DisplayName("SIGTERM while following a file prints the end-of-run counts before the exit.")
  void sigtermPrintsCounts() throws Exception {
    Path log =
        Files.write(
            dir.resolve("audit.log"),
            List.of(
                "type=SECCOMP msg=audit(1741944413.589:1): auid=0 uid=0 gid=0 ses=1 pid=77"
                    + " comm=\"app\" exe=\"/usr/bin/app\" sig=31 arch=c000003e syscall=101"
                    + " compat=0 ip=0x1 code=0x80000000"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx96m", "-XX:TieredStopAtLevel=1", "-cp", classPath()));
    command.add(ProbesCliMain.class.getName());
    command.addAll(List.of("probe", "denials", "--file", log.toString(), "--host", "h1"));
    // output to files: a pipe still being read when the process ends may lose its last lines
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove("VALENTIA_KAFKA_BOOTSTRAP");
    Process process = builder.start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(out).contains("seccomp KILL_PROCESS ptrace"));

      process.destroy(); // SIGTERM
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(err))
          .as("exit %s", process.exitValue())
          .contains("denials: 1 lines")
          .contains("1 denials");
    } finally {
      process.destroyForcibly();
    }
  }

  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }
}
