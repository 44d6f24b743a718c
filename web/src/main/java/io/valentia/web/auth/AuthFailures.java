package io.valentia.web.auth;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.Audit;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throttles failed authentication, per client address and per principal:
 *
 * <ul>
 *   <li>a bearer token or login token that is not valid counts against the client's address; once
 *       its allowance is spent, every request from there that presents a token or logs in is
 *       answered 429 with {@code Retry-After} until it refills (a browser session already made is
 *       not affected);
 *   <li>a request refused to a known principal (its role does not allow it, a missing CSRF token, a
 *       foreign origin) counts against that principal; once spent, its requests are answered 429.
 * </ul>
 *
 * Clients and principals that do not fail cost nothing and are never slowed (while an address is
 * throttled even a right token from it is refused: else the throttle would not slow guessing). The
 * start of each throttling is audited ({@code auth.throttle}, outcome {@code denied}), once per
 * episode rather than per refused request. Thread-safe; does not block.
 */
public final class AuthFailures {
  private static final Logger LOG = LoggerFactory.getLogger(AuthFailures.class);

  private final FailureThrottle throttle;
  private final int failures;
  private final Duration per;
  private final EventPublisher audit;

  /**
   * @param failures failures allowed in a burst per address and per principal
   * @param per the time in which the allowance refills
   * @param audit where the audit events go; null: not audited (tests only)
   */
  public AuthFailures(int failures, Duration per, EventPublisher audit) {
    this.throttle = new FailureThrottle(failures, per);
    this.failures = failures;
    this.per = per;
    this.audit = audit;
  }

  /** How long requests with tokens from {@code address} are refused; zero when they are not. */
  public Duration addressThrottled(String address) {
    return address == null ? Duration.ZERO : throttle.retryAfter(addressKey(address));
  }

  /** How long requests of {@code principal} are refused; zero when they are not. */
  public Duration principalThrottled(String principal) {
    return principal == null ? Duration.ZERO : throttle.retryAfter(principalKey(principal));
  }

  /** A token from {@code address} was not valid. */
  public void tokenFailed(String address) {
    if (address != null && throttle.fail(addressKey(address)) == FailureThrottle.Outcome.STARTED) {
      audit("anonymous", "none", "address " + address, address);
    }
  }

  /** A request of {@code principal} from {@code address} was refused. */
  public void refused(Principal principal, String address) {
    if (throttle.fail(principalKey(principal.name())) == FailureThrottle.Outcome.STARTED) {
      audit(principal.name(), principal.role(), "principal " + principal.name(), address);
    }
  }

  /** Whole seconds to put in {@code Retry-After}, at least 1. */
  public static long retryAfterSeconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  private void audit(String actor, String role, String target, String address) {
    LOG.warn(
        "throttling {} after {} failed authentications within {} s",
        target,
        failures,
        per.toSeconds());
    if (audit == null) {
      return;
    }
    Audit event =
        new Audit(
            actor,
            role,
            "auth.throttle",
            target,
            "denied",
            address,
            EventCodec.MAPPER
                .createObjectNode()
                .put("failures", failures)
                .put("perSeconds", per.toSeconds()));
    audit
        .publish(CloudEvent.of(event).source("/web").subject(actor).build())
        .onFailure(e -> LOG.warn("audit event of a throttling lost: {}", e.toString()));
  }

  private static String addressKey(String address) {
    return "address:" + address;
  }

  private static String principalKey(String name) {
    return "principal:" + name;
  }
}
