package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.probes.testing.KernelLogDenials;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real seccomp kill on this machine: {@code uname} runs under {@code bwrap --seccomp} with a
 * classic-BPF filter that kills the process on the uname syscall; the kernel logs the SECCOMP
 * record to /dev/kmsg, and the watcher must publish it to Kafka. Needs root (to read /dev/kmsg) and
 * bubblewrap ({@code .ci/run} installs it).
 */
@DisplayName("A real seccomp kill reaches Kafka from the kernel log")
class SeccompKillIT {
  private static final int SECCOMP_RET_KILL_PROCESS = 0x80000000;
  private static final int SECCOMP_RET_ALLOW = 0x7fff0000;

  @TempDir Path dir;
  private KernelLogDenials denials;

  @BeforeEach
  void startWatcher() {
    denials = KernelLogDenials.start("denials-it");
  }

  @AfterEach
  void stop() throws Exception {
    denials.close();
  }

  @Test
  @DisplayName(
      "uname killed by a seccomp filter becomes probe.syscall.denied: uname, KILL_PROCESS.")
  void seccompKillIsPublished() throws Exception {
    AuditArch arch = AuditArch.current().orElseThrow();
    int unameNr = SyscallTable.of(arch).number("uname").orElseThrow();
    Path filter = Files.write(dir.resolve("kill-uname.bpf"), killFilter(arch, unameNr));
    // a copy with a unique name, so this test finds its own denial among everyone's
    Path exe = dir.resolve("uname-" + UUID.randomUUID().toString().substring(0, 8));
    Files.copy(Path.of("/usr/bin/uname"), exe, StandardCopyOption.COPY_ATTRIBUTES);

    Process process =
        new ProcessBuilder(
                "bash",
                "-c",
                "exec bwrap --dev-bind / / --seccomp 9 \"$0\" 9<\"$1\"",
                exe.toString(),
                filter.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    int exit = process.waitFor();
    assertThat(exit).as("bwrap output: %s", output).isNotZero();

    SyscallDenied denial = denials.awaitDenial(exe);
    assertThat(denial.syscall()).isEqualTo("uname");
    assertThat(denial.syscallNr()).isEqualTo(unameNr);
    assertThat(denial.arch()).isEqualTo(arch.archName());
    assertThat(denial.action()).isEqualTo("KILL_PROCESS");
    assertThat(denial.comm()).isEqualTo(exe.getFileName().toString());
  }

  /**
   * A classic-BPF seccomp program (struct sock_filter: u16 code, u8 jt, u8 jf, u32 k, in the
   * machine's byte order): kill the process on syscall {@code nr} of {@code arch}, allow the rest.
   */
  private static byte[] killFilter(AuditArch arch, int nr) {
    int[][] program = {
      {0x20, 0, 0, 4}, // ld [4]: seccomp_data.arch
      {0x15, 0, 3, (int) arch.auditValue()}, // jeq arch, next, else allow
      {0x20, 0, 0, 0}, // ld [0]: seccomp_data.nr
      {0x15, 0, 1, nr}, // jeq nr, kill, else allow
      {0x06, 0, 0, SECCOMP_RET_KILL_PROCESS},
      {0x06, 0, 0, SECCOMP_RET_ALLOW},
    };
    ByteBuffer bytes = ByteBuffer.allocate(program.length * 8).order(ByteOrder.nativeOrder());
    for (int[] insn : program) {
      bytes.putShort((short) insn[0]).put((byte) insn[1]).put((byte) insn[2]).putInt(insn[3]);
    }
    return bytes.array();
  }
}
