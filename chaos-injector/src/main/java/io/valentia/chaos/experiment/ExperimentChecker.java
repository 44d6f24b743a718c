package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.faults.FaultCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link Experiment} of a document and checks what its structure cannot say (that is
 * {@link ExperimentSchema}'s): references, tolerances, durations, URLs, HTTP methods, faults and
 * event probes with their arguments (those two with {@link ProviderChecker}), the providers
 * Valentia does not run. Where the structure is wrong it skips the part. The schema's problems are
 * given to it and listed where its walk passes their value, so that problems come in one order,
 * located or not: the walk's (the keys of each part in a fixed order, a part's own problems after
 * those of its values). One pass over one document; not thread-safe.
 */
final class ExperimentChecker {
  /** The keys of an experiment: the schema's. */
  private static final Set<String> TOP_LEVEL = ExperimentSchema.instance().topLevelKeys();

  private final FaultCatalog faults;
  private final boolean checking;
  private final ProblemList problems;
  private final ProviderChecker providers;
  private final Map<String, JsonNode> named = new HashMap<>();

  /**
   * @param checking whether placeholders ({@code ${name}}) may stand where a value is checked (a
   *     document before substitution); false for a document with every value in place
   * @param structural the schema's problems of the document
   */
  ExperimentChecker(
      FaultCatalog faults,
      SourceLocations locations,
      boolean checking,
      List<ExperimentProblem> structural) {
    this.faults = faults;
    this.checking = checking;
    this.problems = new ProblemList(locations, structural);
    this.providers = new ProviderChecker(faults, checking, problems);
  }

  /** The problems found so far, in the order found. */
  List<ExperimentProblem> problems() {
    return problems.all();
  }

  private void problem(String path, String message) {
    problems.add(path, message);
  }

  private void structure(String path) {
    problems.structure(path);
  }

  private void restOfStructure() {
    problems.restOfStructure();
  }

  /** The experiment of {@code doc}; null when it is not a mapping. */
  Experiment experiment(JsonNode doc) {
    if (!doc.isObject()) {
      restOfStructure();
      return null;
    }
    doc.fieldNames()
        .forEachRemaining(
            key -> {
              if (!TOP_LEVEL.contains(key)) {
                structure(key);
              }
            });
    structure("title");
    String title = text(doc.path("title"));
    structure("description");
    String description =
        doc.path("description").isTextual() ? doc.get("description").asText() : null;
    structure("tags");
    List<String> tags = new ArrayList<>();
    for (int i = 0; doc.path("tags").isArray() && i < doc.get("tags").size(); i++) {
      structure("tags[" + i + "]");
      if (doc.get("tags").get(i).isTextual()) {
        tags.add(doc.get("tags").get(i).asText());
      }
    }
    structure("configuration");
    structure("secrets");
    doc.path("secrets").fieldNames().forEachRemaining(ns -> structure("secrets." + ns));
    structure("contributions");
    collectNames(doc);
    Experiment.Hypothesis hypothesis = null;
    structure("steady-state-hypothesis");
    JsonNode ssh = doc.path("steady-state-hypothesis");
    if (ssh.isObject()) {
      structure("steady-state-hypothesis.title");
      structure("steady-state-hypothesis.probes");
      List<Activity> probes = new ArrayList<>();
      JsonNode list = ssh.path("probes");
      for (int i = 0; list.isArray() && i < list.size(); i++) {
        String path = "steady-state-hypothesis.probes[" + i + "]";
        Activity probe = activity(list.get(i), path);
        if (probe != null) {
          if (!probe.isProbe()) {
            problem(
                path + ".type", "the steady-state hypothesis holds probes only, found an action");
          } else if (probe.tolerance() == null) {
            problem(path, "a steady-state probe needs a tolerance");
          }
          probes.add(probe);
        }
      }
      hypothesis = new Experiment.Hypothesis(text(ssh.path("title")), probes);
    }
    List<Activity> method = activities(doc.path("method"), "method");
    List<Activity> rollbacks = activities(doc.path("rollbacks"), "rollbacks");
    restOfStructure();
    return new Experiment(
        title, description, List.copyOf(tags), hypothesis, method, rollbacks, doc);
  }

  private void collectNames(JsonNode doc) {
    List<JsonNode> all = new ArrayList<>();
    doc.path("steady-state-hypothesis").path("probes").forEach(all::add);
    doc.path("method").forEach(all::add);
    doc.path("rollbacks").forEach(all::add);
    for (JsonNode a : all) {
      if (a.isObject() && !a.has("ref") && a.path("name").isTextual()) {
        named.putIfAbsent(a.path("name").asText(), a);
      }
    }
  }

  private List<Activity> activities(JsonNode list, String key) {
    structure(key);
    List<Activity> out = new ArrayList<>();
    for (int i = 0; list.isArray() && i < list.size(); i++) {
      Activity a = activity(list.get(i), key + "[" + i + "]");
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  private Activity activity(JsonNode node, String path) {
    structure(path);
    if (!node.isObject()) {
      return null;
    }
    if (node.has("ref")) {
      structure(path + ".ref");
      return reference(node.get("ref"), path);
    }
    structure(path + ".type");
    String type = node.path("type").asText("");
    structure(path + ".name");
    String name = text(node.path("name"));
    Provider provider = providers.provider(node.path("provider"), path + ".provider", type, name);
    Duration before = Duration.ZERO;
    Duration after = Duration.ZERO;
    structure(path + ".pauses");
    JsonNode pauses = node.path("pauses");
    if (pauses.isObject()) {
      before = pause(pauses, "before", path);
      after = pause(pauses, "after", path);
    }
    structure(path + ".background");
    boolean background = node.path("background").isBoolean() && node.get("background").asBoolean();
    JsonNode tolerance = node.get("tolerance");
    if (tolerance != null) {
      if (!type.equals("probe")) {
        problem(path + ".tolerance", "only probes have a tolerance");
      }
      for (String p :
          Tolerances.problems(tolerance, this::probeToleranceProblems, path + ".tolerance")) {
        problem(path + ".tolerance", p);
      }
    }
    structure(path + ".secrets");
    List<String> secrets = new ArrayList<>();
    if (node.path("secrets").isArray()) {
      node.get("secrets").forEach(s -> secrets.add(s.asText()));
    }
    structure(path + "." + ExperimentLoader.TOLERATE_FAILURE);
    JsonNode tolerate = node.path(ExperimentLoader.TOLERATE_FAILURE);
    boolean toleratesFailure = tolerate.isBoolean() && tolerate.asBoolean();
    return new Activity(
        name,
        type,
        provider,
        before,
        after,
        background,
        tolerance,
        List.copyOf(secrets),
        path,
        toleratesFailure);
  }

  /** The activity {@code ref} names, as if declared at {@code path}. */
  private Activity reference(JsonNode ref, String path) {
    if (!ref.isTextual()) {
      return null;
    }
    JsonNode target = named.get(ref.asText());
    if (target == null) {
      problem(path + ".ref", "no activity is named " + ref.asText());
      return null;
    }
    // problems of the target are reported where it is declared
    ExperimentChecker quiet =
        new ExperimentChecker(faults, SourceLocations.none(), checking, List.of());
    quiet.named.putAll(named);
    Activity resolved = quiet.activity(target, path);
    return resolved == null
        ? null
        : new Activity(
            resolved.name(),
            resolved.type(),
            resolved.provider(),
            resolved.pauseBefore(),
            resolved.pauseAfter(),
            resolved.background(),
            resolved.tolerance(),
            resolved.secrets(),
            path,
            resolved.toleratesFailure());
  }

  private List<String> probeToleranceProblems(JsonNode tolerance, String path) {
    JsonNode provider = tolerance.path("provider");
    if (provider.isMissingNode()) {
      return List.of("provider: a probe tolerance needs a provider");
    }
    providers.provider(
        provider, path + ".provider", "probe", tolerance.path("name").asText("tolerance"));
    structure(path + ".name");
    return List.of();
  }

  private Duration pause(JsonNode pauses, String key, String path) {
    JsonNode value = pauses.path(key);
    if (value.isMissingNode()) {
      return Duration.ZERO;
    }
    if (placeholder(value)) {
      return Duration.ZERO;
    }
    return Durations.parse(value)
        .orElseGet(
            () -> {
              problem(path + ".pauses." + key, "must be a number of seconds, found " + value);
              return Duration.ZERO;
            });
  }

  /** Whether {@code value} is left to the run: a placeholder in a document being checked. */
  private boolean placeholder(JsonNode value) {
    return checking && Substitution.hasPlaceholder(value);
  }

  /** A required text as the schema wants it (a non-blank string); empty when it is not. */
  static String text(JsonNode value) {
    return value.isTextual() && !value.asText().isBlank() ? value.asText() : "";
  }
}
