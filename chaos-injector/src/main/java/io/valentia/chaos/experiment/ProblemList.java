package io.valentia.chaos.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The problems of one checking pass, in the order found, each located in the file. The schema's
 * problems are given at the start and taken in where the walk passes their value ({@link
 * #structure}), so that all come in the order a reader meets them. Not thread-safe.
 */
final class ProblemList {
  private final SourceLocations locations;
  private final List<ExperimentProblem> problems = new ArrayList<>();
  private final Map<String, List<ExperimentProblem>> structural = new LinkedHashMap<>();

  /** {@code structural}: the schema's problems of the document. */
  ProblemList(SourceLocations locations, List<ExperimentProblem> structural) {
    this.locations = locations;
    structural.forEach(
        p -> this.structural.computeIfAbsent(p.path(), k -> new ArrayList<>()).add(p));
  }

  /** Adds a problem of the value at {@code path}. */
  void add(String path, String message) {
    problems.add(new ExperimentProblem(path, locations.of(path), message));
  }

  /** Takes in the schema's problems of the value at {@code path}, here in the walk. */
  void structure(String path) {
    List<ExperimentProblem> found = structural.remove(path);
    if (found != null) {
      problems.addAll(found);
    }
  }

  /** Takes in the schema's problems the walk did not pass (none, unless the two disagree). */
  void restOfStructure() {
    structural.values().forEach(problems::addAll);
    structural.clear();
  }

  /** Drops the problems found so far that {@code filter} matches. */
  void removeIf(Predicate<ExperimentProblem> filter) {
    problems.removeIf(filter);
  }

  /** Every problem so far, in the order found (a live view). */
  List<ExperimentProblem> all() {
    return problems;
  }
}
