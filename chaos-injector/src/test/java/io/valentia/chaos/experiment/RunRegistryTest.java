package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunRegistryTest {
  private final RunRegistry registry = new RunRegistry();

  /**
   * A run on a thread of its own that waits until it is interrupted; completes with its control.
   */
  private CompletableFuture<RunControl> waitingRun(String runId, Consumer<RunControl> started) {
    CompletableFuture<RunControl> interrupted = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              RunControl control = registry.register(runId);
              started.accept(control);
              try {
                new CountDownLatch(1).await();
              } catch (InterruptedException e) {
                interrupted.complete(control);
              } finally {
                registry.unregister(control);
              }
            });
    thread.setDaemon(true);
    thread.start();
    return interrupted;
  }

  @Test
  @DisplayName(
      "Stopping one run by id wakes it with its status, reason and author; an unknown id stops nothing")
  void stopsOne() {
    CompletableFuture<RunControl> run = waitingRun("run-1", c -> {});
    await().until(() -> registry.runningIds().contains("run-1"));

    assertThat(registry.stop("no-such-run", "aborted", "why", "alice")).isFalse();
    assertThat(registry.stop("run-1", "aborted", "enough", "alice")).isTrue();

    RunControl control = run.join();
    assertThat(control.stopped()).isTrue();
    assertThat(control.status()).isEqualTo("aborted");
    assertThat(control.reason()).isEqualTo("enough");
    assertThat(control.by()).isEqualTo("alice");
    await().until(() -> registry.runningIds().isEmpty());
  }

  @Test
  @DisplayName(
      "Stopping every run marks them all before the work done meanwhile, wakes them after it, and a run already stopped keeps its first stop")
  void stopsAll() {
    CompletableFuture<RunControl> one = waitingRun("a", c -> {});
    CompletableFuture<RunControl> two = waitingRun("b", c -> {});
    await().until(() -> registry.runningIds().size() == 2);
    AtomicReference<Boolean> stoppedMeanwhile = new AtomicReference<>();

    int stopped =
        registry.stopAll(
            "interrupted",
            "halt",
            "bob",
            () -> {
              stoppedMeanwhile.set(!one.isDone() && !two.isDone());
            });

    assertThat(stopped).isEqualTo(2);
    assertThat(stoppedMeanwhile.get()).isTrue();
    assertThat(one.join().status()).isEqualTo("interrupted");
    assertThat(two.join().reason()).isEqualTo("halt");
    assertThat(one.join().mark("aborted", "again", "carol")).isFalse();
    assertThat(one.join().status()).isEqualTo("interrupted");
  }

  @Test
  @DisplayName(
      "A run in its rollbacks is marked stopped but its thread is not interrupted; before them it is")
  void rollbacksAreNotInterrupted() {
    RunControl control = registry.register("on-this-thread");
    try {
      control.enterRollbacks();
      assertThat(registry.stop("on-this-thread", "aborted", "stop", "alice")).isTrue();
      assertThat(Thread.interrupted()).isFalse();
      assertThat(control.stopped()).isTrue();
    } finally {
      registry.unregister(control);
    }

    RunControl before = registry.register("before-rollbacks");
    try {
      assertThat(registry.stop("before-rollbacks", "aborted", "stop", "alice")).isTrue();
      assertThat(Thread.interrupted()).isTrue();
    } finally {
      registry.unregister(before);
    }
  }
}
