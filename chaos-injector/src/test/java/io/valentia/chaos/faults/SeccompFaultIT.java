package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.EventCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompFaultIT {
  private static final String PROFILE =
      """
      {"defaultAction": "SCMP_ACT_ALLOW",
       "architectures": ["SCMP_ARCH_X86_64"],
       "syscalls": [
         {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
         {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}
      """;

  @Test
  @DisplayName(
      "A command under a Docker-format seccomp profile gets the profile's errno for a denied system call, and the rest works")
  void deniedSystemCallFails(@TempDir Path dir) throws Exception {
    Path result = dir.resolve("result");
    ObjectNode args = EventCodec.MAPPER.createObjectNode();
    args.set("profile", EventCodec.MAPPER.readTree(PROFILE));
    args.putArray("command")
        .add("sh")
        .add("-c")
        .add(
            "mkdir " + dir.resolve("made") + " 2> " + dir.resolve("err") + "; echo $? > " + result);
    args.put("duration", "20s");
    try (FaultInjector injector =
        new FaultInjector(FaultCatalog.standard(), Runs.allowing("hosts").policy())) {
      injector.inject("run", "seccomp", args);

      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> Files.exists(result) && !Files.readString(result).isBlank());
    }

    assertThat(Files.readString(result).strip()).isEqualTo("1");
    assertThat(Files.readString(dir.resolve("err"))).contains("Permission denied");
    assertThat(Files.exists(dir.resolve("made"))).isFalse();
  }

  @Test
  @DisplayName(
      "A profile compiles to one BPF instruction pair per system call, leaving out rules with argument conditions; unknown names and actions are problems")
  void compiles() throws Exception {
    List<String> problems = new ArrayList<>();
    SeccompProfile profile = SeccompProfile.compile(EventCodec.MAPPER.readTree(PROFILE), problems);
    assertThat(problems).isEmpty();
    assertThat(profile.filter()).hasSize((6 + 2 * 2 + 1) * 8);
    assertThat(profile.skipped())
        .containsExactly("syscalls[1]: argument conditions are not supported");

    SeccompProfile bad =
        SeccompProfile.compile(
            EventCodec.MAPPER.readTree(
                "{\"defaultAction\": \"SCMP_ACT_NOPE\", \"syscalls\": [{\"names\": [\"frobnicate\"], \"action\": \"SCMP_ACT_KILL\"}]}"),
            problems);
    assertThat(bad).isNull();
    assertThat(problems)
        .containsExactly(
            "defaultAction: unknown action SCMP_ACT_NOPE",
            "syscalls[0].names: unknown x86_64 system call frobnicate");
  }
}
