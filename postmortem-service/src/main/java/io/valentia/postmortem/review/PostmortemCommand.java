package io.valentia.postmortem.review;

import io.valentia.eventbus.EventCodec;
import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.documents.Postmortem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code valentia postmortem lint|import|export}: postmortem files. */
@Command(
    name = "postmortem",
    mixinStandardHelpOptions = true,
    description =
        "Review, import and export postmortems written in the SRE-book Markdown template.",
    subcommands = {
      PostmortemCommand.Lint.class,
      PostmortemCommand.Import.class,
      PostmortemCommand.Export.class
    })
public final class PostmortemCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: lint, import or export");
  }

  static String read(CommandSpec spec, Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), "no such file: " + file);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read " + file + ": " + e);
    }
  }

  /** {@code postmortem lint FILE.md}. */
  @Command(
      name = "lint",
      mixinStandardHelpOptions = true,
      description = {
        "Run the blameless review on a Markdown postmortem: wording that blames people, findings"
            + " that name a person as the cause or cite no evidence, testimonies that mention"
            + " times the timeline does not show.",
        "Exit 0 when clean, 1 when it found something."
      })
  static final class Lint implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.md")
    Path file;

    @Option(names = "--json", description = "print {file, problems: [...]} as JSON")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Postmortem postmortem = MarkdownPostmortem.parse(read(spec, file));
      List<BlamelessReview.Problem> problems = new BlamelessReview().review(postmortem);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", file.toString());
        result.put("problems", problems);
        out.println(EventCodec.MAPPER.writeValueAsString(result));
      } else if (problems.isEmpty()) {
        out.println(file + ": no blaming wording found");
      } else {
        problems.forEach(p -> out.println(file + ": " + BlamelessReview.describe(p)));
        out.println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s"));
      }
      out.flush();
      return problems.isEmpty() ? 0 : 1;
    }
  }

  /** {@code postmortem import FILE.md}: Markdown to the JSON document. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Read a postmortem written in the SRE-book Markdown template and print it as the JSON"
            + " document the platform stores.",
        "Exit 0 when read, 1 when it has no title, 2 when the file cannot be read."
      })
  static final class Import implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.md")
    Path file;

    @Option(names = "--json", description = "compact JSON (the default is indented)")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Postmortem postmortem = MarkdownPostmortem.parse(read(spec, file));
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          json
              ? EventCodec.MAPPER.writeValueAsString(postmortem)
              : EventCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(postmortem));
      out.flush();
      if (postmortem.title().isEmpty()) {
        spec.commandLine().getErr().println(file + ": no '# Title' line; is it a postmortem?");
        return 1;
      }
      return 0;
    }
  }

  /** {@code postmortem export FILE.json}: the JSON document to Markdown (or JSON). */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write a postmortem JSON document as Markdown in the SRE-book template (or, with --json,"
            + " as normalised JSON).",
        "Exit 0 when written, 2 when the file is not a postmortem document."
      })
  static final class Export implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.json")
    Path file;

    @Option(names = "--json", description = "write JSON instead of Markdown")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Postmortem postmortem;
      try {
        postmortem = EventCodec.MAPPER.readValue(read(spec, file), Postmortem.class);
      } catch (IOException e) {
        throw new ParameterException(
            spec.commandLine(), file + " is not a postmortem document: " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(
          json
              ? EventCodec.MAPPER.writeValueAsString(postmortem) + "\n"
              : MarkdownPostmortem.render(postmortem));
      out.flush();
      return 0;
    }
  }
}
