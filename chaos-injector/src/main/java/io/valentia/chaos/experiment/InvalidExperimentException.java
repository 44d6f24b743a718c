package io.valentia.chaos.experiment;

import io.valentia.eventbus.ValentiaException;
import java.util.List;

/** An experiment that cannot run, with every problem found in it. Nothing of it was run. */
public final class InvalidExperimentException extends ValentiaException {
  private final transient List<ExperimentProblem> problems;

  public InvalidExperimentException(String file, List<ExperimentProblem> problems) {
    super(file + " is not a valid experiment (" + problems.size() + " problem(s))");
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in document order; never empty. */
  public List<ExperimentProblem> problems() {
    return problems;
  }
}
