package io.valentia.chaos.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.experiment.ExperimentLoader;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code valentia experiment validate|run FILE}. */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description = "Check or run a Chaos Toolkit experiment (JSON or YAML).",
    subcommands = {ExperimentValidateCommand.class, ExperimentRunCommand.class})
public final class ExperimentCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: validate or run");
  }

  static ExperimentLoader.Loaded load(CommandSpec spec, Path file) {
    try {
      return new ExperimentLoader(FaultCatalog.standard()).load(file);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "no such file: " + file);
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
    }
  }

  static void printProblems(PrintWriter out, Path file, List<ExperimentProblem> problems) {
    out.println(file + ": " + problems.size() + " problem(s), nothing was run:");
    for (ExperimentProblem p : problems) {
      out.println("  " + file + ":" + p);
    }
  }

  static ObjectNode problemsJson(Path file, List<ExperimentProblem> problems) {
    ObjectNode json =
        EventCodec.MAPPER
            .createObjectNode()
            .put("file", file.toString())
            .put("valid", problems.isEmpty());
    ArrayNode list = json.putArray("problems");
    for (ExperimentProblem p : problems) {
      ObjectNode o = list.addObject().put("path", p.path()).put("message", p.message());
      if (p.location() != null) {
        o.put("line", Integer.parseInt(p.location().split(":")[0]))
            .put("column", Integer.parseInt(p.location().split(":")[1]));
      }
    }
    return json;
  }

  static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
