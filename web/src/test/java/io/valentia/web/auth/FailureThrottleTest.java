package io.valentia.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The token bucket that throttles failed authentication")
class FailureThrottleTest {
  private final AtomicLong now = new AtomicLong();
  private final FailureThrottle throttle = new FailureThrottle(3, Duration.ofSeconds(30), now::get);

  @Test
  @DisplayName(
      "Three failures are allowed; the third starts the throttling, the fourth finds it throttled"
          + " for the time one allowance takes to come back (10 s of 30 s for 3).")
  void throttlesAfterTheAllowance() {
    assertThat(throttle.fail("a")).isEqualTo(FailureThrottle.Outcome.COUNTED);
    assertThat(throttle.fail("a")).isEqualTo(FailureThrottle.Outcome.COUNTED);
    assertThat(throttle.retryAfter("a")).isZero();
    assertThat(throttle.fail("a")).isEqualTo(FailureThrottle.Outcome.STARTED);

    assertThat(throttle.retryAfter("a")).isEqualTo(Duration.ofSeconds(10));
    assertThat(throttle.fail("a")).isEqualTo(FailureThrottle.Outcome.THROTTLED);
    assertThat(throttle.retryAfter("b")).as("another key is not throttled").isZero();
  }

  @Test
  @DisplayName(
      "The allowance refills evenly: 10 s later one failure is allowed again, and a full bucket"
          + " is forgotten.")
  void refills() {
    for (int i = 0; i < 3; i++) {
      throttle.fail("a");
    }
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(throttle.retryAfter("a")).isEqualTo(Duration.ofSeconds(6));

    now.addAndGet(Duration.ofSeconds(6).toNanos());
    assertThat(throttle.retryAfter("a")).isZero();
    assertThat(throttle.fail("a")).isEqualTo(FailureThrottle.Outcome.STARTED);

    now.addAndGet(Duration.ofMinutes(5).toNanos());
    assertThat(throttle.tracked()).isZero();
  }

  @Test
  @DisplayName("Successes are never counted: a key that never fails is never throttled.")
  void onlyFailuresCount() {
    throttle.fail("a");
    assertThat(throttle.retryAfter("a")).isZero();
    assertThat(throttle.retryAfter("never-failed")).isZero();
    assertThat(throttle.tracked()).isEqualTo(1);
  }
}
