package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/**
 * An action or a probe of an experiment, with any {@code ref} already resolved.
 *
 * @param name the activity's name
 * @param type {@code action} or {@code probe}
 * @param provider what it calls
 * @param pauseBefore how long to wait before it; zero when none
 * @param pauseAfter how long to wait after it; zero when none
 * @param background whether the method goes on without waiting for it
 * @param tolerance the tolerance of a probe; null when none
 * @param secrets the secret namespaces it may use
 * @param path where it is declared (or referenced) in the document
 * @param toleratesFailure whether the run goes on as if nothing happened when it fails ({@code
 *     "tolerate_failure": true}); otherwise a failure in the method fails the run
 */
public record Activity(
    String name,
    String type,
    Provider provider,
    Duration pauseBefore,
    Duration pauseAfter,
    boolean background,
    JsonNode tolerance,
    List<String> secrets,
    String path,
    boolean toleratesFailure) {

  public boolean isProbe() {
    return "probe".equals(type);
  }
}
