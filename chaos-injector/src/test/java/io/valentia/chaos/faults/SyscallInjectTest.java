package io.valentia.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.eventbus.EventCodec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SyscallInjectTest {
  private final FaultCatalog catalog = FaultCatalog.standard();

  @Test
  @DisplayName("Every problem of a syscall-inject activity is reported at once, nothing is run")
  void reportsEveryProblem() throws Exception {
    var problems =
        catalog.check(
            "syscall-inject",
            Arguments.checking(
                EventCodec.MAPPER.readTree(
                    "{\"syscall\": [\"openat\", \"frobnicate\"], \"error\": \"ENOTANERRNO\","
                        + " \"delay\": \"1s\", \"when\": \"0..x\", \"duration\": \"5s\"}")));

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "syscall: unknown x86_64 system call frobnicate",
            "error or delay: give exactly one (an errno such as EACCES, or 200ms)",
            "error: not an errno name (EACCES, ENOSPC, EIO...) or 1..4095: ENOTANERRNO",
            "when: must be N, N+, N+STEP, N..M or N..M+STEP (counting calls from 1): 0..x",
            "command or pid: give exactly one (the program to run, or who to attach)");
  }

  @Test
  @DisplayName(
      "The strace injection names the calls, the errno or the delay in microseconds, and when")
  void buildsTheInjection() throws Exception {
    assertThat(
            SyscallInject.injection(
                Arguments.of(
                    EventCodec.MAPPER.readTree(
                        "{\"syscall\": [\"openat\", \"open\"], \"error\": \"eacces\", \"when\": \"3+\"}"))))
        .isEqualTo("openat,open:error=EACCES:when=3+");
    assertThat(
            SyscallInject.injection(
                Arguments.of(
                    EventCodec.MAPPER.readTree("{\"syscall\": \"write\", \"delay\": \"250ms\"}"))))
        .isEqualTo("write:delay_enter=250000us");
  }
}
