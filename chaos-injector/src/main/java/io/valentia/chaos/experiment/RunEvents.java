package io.valentia.chaos.experiment;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.kafka.EventPublisher;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a run's {@code chaos.experiment.*} events go. Emitting never blocks a run and never fails
 * it: events that Kafka does not take are counted and logged, and the journal still has every step.
 */
public interface RunEvents {

  /** Hands {@code event} over for publishing. */
  void emit(CloudEvent event);

  /** Waits up to {@code timeout} for everything emitted to be stored; returns how many failed. */
  default int awaitDelivered(Duration timeout) {
    return 0;
  }

  /** Drops every event (dry runs, tests of the runner alone). */
  static RunEvents none() {
    return event -> {};
  }

  /** Publishes on {@code valentia.events} with {@code publisher}. */
  static RunEvents publishing(EventPublisher publisher) {
    return new Publishing(publisher);
  }

  /** Publishing events, remembering the pending ones. */
  final class Publishing implements RunEvents {
    private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
    private final EventPublisher publisher;
    private final List<Future<?>> sent = new CopyOnWriteArrayList<>();

    Publishing(EventPublisher publisher) {
      this.publisher = publisher;
    }

    @Override
    public void emit(CloudEvent event) {
      Future<?> future;
      try {
        future = publisher.publish(event);
      } catch (RuntimeException e) {
        future = Future.failedFuture(e);
      }
      future.onFailure(
          e ->
              LOG.warn(
                  "event {} of {} not published: {}",
                  event.type(),
                  event.experimentId(),
                  e.getMessage()));
      sent.add(future);
    }

    @Override
    public int awaitDelivered(Duration timeout) {
      int failed = 0;
      long deadline = System.nanoTime() + timeout.toNanos();
      for (Future<?> f : sent) {
        try {
          f.toCompletionStage()
              .toCompletableFuture()
              .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          failed++;
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
        }
      }
      sent.clear();
      return failed;
    }
  }
}
