package io.valentia.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A failed start of the crash trials")
class CrashTrialsTest {
  @Test
  @DisplayName("is reported by the last exception of its log, not by the blocked-thread warnings")
  void reportsTheLastException() {
    String log =
        String.join(
            "\n",
            "14:37:24.885 WARN  i.v.c.i.BlockedThreadChecker - Thread vert.x-worker-thread-3 has"
                + " been blocked for 60117 ms, time limit is 60000 ms",
            "io.vertx.core.VertxException: Thread blocked",
            "\tat java.base@17.0.15/jdk.internal.misc.Unsafe.park(Native Method)",
            "14:37:26.828 WARN  o.a.k.s.p.i.StreamTask - task [0_2] Encountered"
                + " org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired",
            "java.lang.IllegalStateException: incident detection did not run within 3 min",
            "\tat io.valentia.postmortem.incidents.IncidentVerticle.lambda$start$2",
            "Caused by: java.util.concurrent.TimeoutException");

    assertThat(CrashTrials.lastReport(log))
        .isEqualTo("java.lang.IllegalStateException: incident detection did not run within 3 min");
    assertThat(CrashTrials.lastReport("14:37:26.828 WARN  o.a.k.s.p.i.StreamTask - slow"))
        .endsWith("slow");
    assertThat(CrashTrials.lastReport("")).isEqualTo("nothing");
  }
}
