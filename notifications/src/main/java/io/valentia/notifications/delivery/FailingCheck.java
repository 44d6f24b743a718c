package io.valentia.notifications.delivery;

import io.valentia.eventbus.health.HealthCheck;
import io.valentia.eventbus.health.HealthRegistry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises {@value Outbox#FAILING_CHECK} while some integration of the {@link Outbox} keeps failing,
 * with one line per failing integration, and clears it once every integration succeeds again. Used
 * on the outbox's context.
 */
final class FailingCheck {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  private final HealthRegistry health;
  private List<String> raised = List.of();

  FailingCheck(HealthRegistry health) {
    this.health = health;
  }

  /** Raises, updates or clears the check after a change in how {@code lanes} are doing. */
  void update(List<Lane> lanes) {
    List<String> failing = new ArrayList<>();
    for (Lane lane : lanes) {
      if (lane.failing()) {
        failing.add(lane.failingDetail());
      }
    }
    if (failing.isEmpty()) {
      if (!raised.isEmpty()) {
        LOG.info("every notification integration delivers again");
        health.clear(Outbox.FAILING_CHECK);
      }
    } else if (!failing.equals(raised)) {
      health.raise(
          Outbox.FAILING_CHECK,
          new HealthCheck(
              "HEALTH_WARN",
              failing.size()
                  + " notification "
                  + (failing.size() == 1 ? "integration" : "integrations")
                  + " failing",
              failing));
    }
    raised = failing;
  }

  /** Clears the check if it is raised (the outbox closes). */
  void clear() {
    if (!raised.isEmpty()) {
      health.clear(Outbox.FAILING_CHECK);
      raised = List.of();
    }
  }
}
