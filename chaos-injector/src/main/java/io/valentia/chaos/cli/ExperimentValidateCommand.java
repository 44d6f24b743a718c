package io.valentia.chaos.cli;

import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code experiment validate FILE}. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check an experiment without running anything: every problem is listed with its line,"
          + " column and path. With --config or --allow, the process and http calls the"
          + " allow-list refuses are problems too.",
      "Exit 0 when it is valid, 1 when it has problems, 2 when the file cannot be read."
    })
final class ExperimentValidateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the experiment (.json, .yaml or .yml)")
  Path file;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Mixin InjectorOptions injectorOptions;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ExperimentLoader.Loaded loaded = ExperimentCommand.load(spec, file);
    if (loaded.valid() && injectorOptions.given()) {
      // with a configuration, what its allow-list refuses is a problem too
      List<ExperimentProblem> refused =
          injectorOptions.read(spec).policy().providers().allowList().refusals(loaded.experiment());
      if (!refused.isEmpty()) {
        loaded = new ExperimentLoader.Loaded(null, refused, loaded.document());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(ExperimentCommand.problemsJson(file, loaded.problems()));
    } else if (loaded.valid()) {
      Experiment e = loaded.experiment();
      out.printf(
          "%s: valid: '%s', %d steady-state probe(s), %d method activit%s, %d rollback(s)%n",
          file,
          e.title(),
          e.hypothesis() == null ? 0 : e.hypothesis().probes().size(),
          e.method().size(),
          e.method().size() == 1 ? "y" : "ies",
          e.rollbacks().size());
    } else {
      ExperimentCommand.printProblems(out, file, loaded.problems());
    }
    out.flush();
    return loaded.valid() ? 0 : 1;
  }
}
