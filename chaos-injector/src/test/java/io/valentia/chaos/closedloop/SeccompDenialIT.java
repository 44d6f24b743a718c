package io.valentia.chaos.closedloop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.faults.FaultInjector;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.probes.testing.KernelLogDenials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seccomp fault seen by the denial probe: a command runs under a Docker-format profile that
 * kills it on {@code uname}; the kernel logs the SECCOMP record to /dev/kmsg and the probes' denial
 * watcher publishes {@code probe.syscall.denied} to Kafka. Needs root (to read /dev/kmsg) and
 * bubblewrap ({@code .ci/run} installs it).
 */
@DisplayName("A Docker-format seccomp profile's denial is reported by the denial watcher")
class SeccompDenialIT {
  @TempDir Path dir;
  private KernelLogDenials denials;

  @BeforeEach
  void startWatcher() {
    denials = KernelLogDenials.start("seccomp-denial-it");
  }

  @AfterEach
  void stop() throws Exception {
    denials.close();
  }

  @Test
  @DisplayName(
      "uname under SCMP_ACT_KILL_PROCESS is killed with the profile's action, and the denial"
          + " reaches Kafka as probe.syscall.denied: uname, KILL_PROCESS")
  void denialIsReported() throws Exception {
    // a copy with a unique name, so the test finds its own denial among everyone's
    Path exe = dir.resolve("uname-" + UUID.randomUUID().toString().substring(0, 8));
    Files.copy(Path.of("/usr/bin/uname"), exe, StandardCopyOption.COPY_ATTRIBUTES);
    Path status = dir.resolve("status");
    ObjectNode args = EventCodec.MAPPER.createObjectNode();
    args.set(
        "profile",
        EventCodec.MAPPER.readTree(
            """
            {"defaultAction": "SCMP_ACT_ALLOW",
             "architectures": ["SCMP_ARCH_X86_64"],
             "syscalls": [{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]}
            """));
    args.putArray("command")
        .add("sh")
        .add("-c")
        .add("\"$0\"; echo $? > \"$1\"")
        .add(exe.toString())
        .add(status.toString());
    args.put("duration", "20s");
    try (FaultInjector injector =
        new FaultInjector(FaultCatalog.standard(), Runs.allowing("hosts").policy())) {
      injector.inject("seccomp-denial", "seccomp", args);

      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> Files.exists(status) && !Files.readString(status).isBlank());
      // 128 + SIGSYS (31): the kernel killed it, as SCMP_ACT_KILL_PROCESS says
      assertThat(Files.readString(status).strip()).isEqualTo("159");

      SyscallDenied denial = denials.awaitDenial(exe);
      assertThat(denial.syscall()).isEqualTo("uname");
      assertThat(denial.action()).isEqualTo("KILL_PROCESS");
      assertThat(denial.comm()).isEqualTo(exe.getFileName().toString());
    }
  }
}
