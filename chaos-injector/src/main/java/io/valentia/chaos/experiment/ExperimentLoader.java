package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.faults.FaultCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads Chaos Toolkit experiments (JSON or YAML) and checks them completely: every problem is
 * reported with its path and line, nothing stops at the first. Reading is {@link
 * ExperimentParser}'s, the structure is checked against {@link ExperimentSchema}, the rest by
 * {@link ExperimentChecker}, and {@link Configuration} with {@link Substitution} puts the
 * configuration and secrets in place. Thread-safe.
 */
public final class ExperimentLoader {
  /**
   * The activity key that lets the run go on when the activity fails (Valentia's; Chaos Toolkit
   * itself ignores unknown activity keys).
   */
  public static final String TOLERATE_FAILURE = "tolerate_failure";

  private static final List<String> ACTIVITY_LISTS =
      List.of("steady-state-hypothesis", "method", "rollbacks");

  private final FaultCatalog faults;

  public ExperimentLoader(FaultCatalog faults) {
    this.faults = faults;
  }

  /**
   * What reading a file gave.
   *
   * @param experiment the experiment as written (placeholders in place); null when there are
   *     problems
   * @param problems every problem, in document order; empty when it is valid
   * @param document the parsed document; null when it could not be parsed
   */
  public record Loaded(Experiment experiment, List<ExperimentProblem> problems, JsonNode document) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /** Reads and checks {@code file}. */
  public Loaded load(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
    return parse(new String(bytes, StandardCharsets.UTF_8), yaml);
  }

  /** Reads and checks a document given as text. */
  public Loaded parse(String text, boolean yaml) {
    ExperimentParser.Parsed parsed = ExperimentParser.parse(text, yaml);
    if (parsed.problem() != null) {
      return new Loaded(null, List.of(parsed.problem()), null);
    }
    return check(parsed.document(), parsed.locations());
  }

  /** Checks an already parsed document (no line numbers). */
  public Loaded check(JsonNode document) {
    return check(document, SourceLocations.none());
  }

  /**
   * The experiment with its configuration and secrets substituted from {@code environment}, checked
   * again with every value in place: what a run executes.
   *
   * @throws InvalidExperimentException with every problem when it cannot run
   */
  public Experiment resolve(Loaded loaded, Map<String, String> environment, String file) {
    if (!loaded.valid()) {
      throw new InvalidExperimentException(file, loaded.problems());
    }
    List<ExperimentProblem> problems = new ArrayList<>();
    Configuration configuration =
        Configuration.resolve(loaded.document(), environment, problems, SourceLocations.none());
    Set<String> unknown = new LinkedHashSet<>();
    ObjectNode substituted = loaded.document().deepCopy();
    for (String key : ACTIVITY_LISTS) {
      if (substituted.has(key)) {
        substituted.set(key, configuration.substitute(substituted.get(key), unknown));
      }
    }
    unknown.forEach(
        name ->
            problems.add(
                new ExperimentProblem(
                    "",
                    null,
                    Substitution.placeholder(name) + " has no value in configuration or secrets")));
    ExperimentChecker checker =
        new ExperimentChecker(
            faults,
            SourceLocations.none(),
            false,
            ExperimentSchema.instance().problems(substituted, SourceLocations.none()));
    Experiment experiment = checker.experiment(substituted);
    problems.addAll(checker.problems());
    if (!problems.isEmpty()) {
      throw new InvalidExperimentException(file, problems);
    }
    return new Experiment(
        experiment.title(),
        experiment.description(),
        experiment.tags(),
        experiment.hypothesis(),
        experiment.method(),
        experiment.rollbacks(),
        loaded.document(),
        configuration.redaction());
  }

  private Loaded check(JsonNode document, SourceLocations locations) {
    ExperimentChecker checker =
        new ExperimentChecker(
            faults, locations, true, ExperimentSchema.instance().problems(document, locations));
    Experiment experiment = checker.experiment(document);
    List<ExperimentProblem> problems = new ArrayList<>(checker.problems());
    if (document.isObject()) {
      // unresolvable configuration is reported by validate only when a placeholder uses it
      List<ExperimentProblem> configProblems = new ArrayList<>();
      Configuration.resolve(document, Map.of(), configProblems, locations);
      configProblems.stream()
          .filter(p -> !p.message().startsWith("environment variable"))
          .forEach(problems::add);
    }
    problems.sort((a, b) -> compareLocations(a.location(), b.location()));
    return new Loaded(problems.isEmpty() ? experiment : null, List.copyOf(problems), document);
  }

  private static int compareLocations(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : 1) : -1;
    }
    String[] x = a.split(":");
    String[] y = b.split(":");
    int line = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
    return line != 0 ? line : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
  }
}
