package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A Chaos Toolkit experiment, validated. Configuration values and secrets have been substituted
 * into the activities when the experiment comes from {@link ExperimentLoader#resolve}; as read from
 * a file, {@code ${name}} placeholders are still in place.
 *
 * @param title the title
 * @param description null when none
 * @param tags never null
 * @param hypothesis the steady-state hypothesis; null when the experiment has none
 * @param method the method's activities, in order; never empty
 * @param rollbacks the rollback activities, in order
 * @param document the document as read
 * @param redaction what hides its secret values wherever a run shows or keeps them
 */
public record Experiment(
    String title,
    String description,
    List<String> tags,
    Hypothesis hypothesis,
    List<Activity> method,
    List<Activity> rollbacks,
    JsonNode document,
    Redaction redaction) {

  /** An experiment with no resolved secrets to hide. */
  public Experiment(
      String title,
      String description,
      List<String> tags,
      Hypothesis hypothesis,
      List<Activity> method,
      List<Activity> rollbacks,
      JsonNode document) {
    this(title, description, tags, hypothesis, method, rollbacks, document, Redaction.none());
  }

  /** The document as it may be shown or kept: secret values hidden. */
  public JsonNode shownDocument() {
    return (redaction == null ? Redaction.none() : redaction).document(document);
  }

  /**
   * The steady-state hypothesis.
   *
   * @param title its title
   * @param probes the probes, each with a tolerance
   */
  public record Hypothesis(String title, List<Activity> probes) {}

  /** Every activity, hypothesis probes first, then the method, then the rollbacks. */
  public List<Activity> activities() {
    List<Activity> all = new java.util.ArrayList<>();
    if (hypothesis != null) {
      all.addAll(hypothesis.probes());
    }
    all.addAll(method);
    all.addAll(rollbacks);
    return all;
  }
}
