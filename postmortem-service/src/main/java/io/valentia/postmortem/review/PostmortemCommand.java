package io.valentia.postmortem.review;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import io.valentia.postmortem.documents.MarkdownPostmortem;
import io.valentia.postmortem.documents.Postmortem;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
      PostmortemCommand.Export.class,
      PostmortemCommand.ListPostmortems.class,
      PostmortemCommand.Show.class
    })
public final class PostmortemCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "name a subcommand: lint, import, export, list or show");
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

  /** {@code postmortem import FILE.md}: a Markdown postmortem into the running platform. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Read a postmortem written in the SRE-book Markdown template and store it in the running"
            + " platform as a revision on valentia.postmortems: a new postmortem, or with --id and"
            + " --expected-revision a revision of an existing one. --dry-run prints the JSON"
            + " document instead.",
        "Exit 0 when stored (or read, with --dry-run), 1 when the file has no title or the"
            + " platform refused it (409: someone revised it first), 2 on bad usage."
      })
  static final class Import implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.md")
    Path file;

    @Option(names = "--id", paramLabel = "ID", description = "the postmortem's id")
    String id;

    @Option(
        names = "--expected-revision",
        paramLabel = "N",
        description = "revise postmortem --id, whose latest revision must be N")
    Integer expectedRevision;

    @Option(names = "--note", paramLabel = "TEXT", description = "why (kept with the revision)")
    String note;

    @Option(names = "--dry-run", description = "print the JSON document; store nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print the API's JSON answer (compact JSON)")
    boolean json;

    @Mixin ApiOptions platform;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
      String markdown = read(spec, file);
      Postmortem postmortem = MarkdownPostmortem.parse(markdown);
      PrintWriter out = spec.commandLine().getOut();
      if (postmortem.title().isEmpty()) {
        spec.commandLine().getErr().println(file + ": no '# Title' line; is it a postmortem?");
        return 1;
      }
      if (expectedRevision != null && id == null) {
        throw new ParameterException(spec.commandLine(), "--expected-revision needs --id");
      }
      if (dryRun) {
        out.println(
            json
                ? EventCodec.MAPPER.writeValueAsString(postmortem)
                : EventCodec.MAPPER
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(postmortem));
        out.flush();
        return 0;
      }
      ObjectNode body = EventCodec.MAPPER.createObjectNode();
      if (note != null) {
        body.put("note", note);
      }
      PlatformClient.Answer answer;
      if (expectedRevision == null) {
        if (id != null) {
          body.put("id", id);
        }
        body.put("markdown", markdown);
        answer = platform.send("POST", "/api/v1/postmortems", body.toString());
      } else {
        body.put("expectedRevision", expectedRevision);
        ObjectNode sections = EventCodec.MAPPER.valueToTree(postmortem);
        body.set("sections", sections);
        answer =
            platform.send(
                "PUT",
                "/api/v1/postmortems/" + URLEncoder.encode(id, StandardCharsets.UTF_8),
                body.toString());
      }
      if (answer.status() == 400) {
        throw new ParameterException(spec.commandLine(), answer.body().path("error").asText());
      }
      if (answer.status() >= 300) {
        spec.commandLine()
            .getErr()
            .println(
                "the platform answered "
                    + answer.status()
                    + ": "
                    + answer.body().path("error").asText());
        return 1;
      }
      if (json) {
        out.println(answer.body());
      } else {
        out.println(
            "stored "
                + answer.body().path("id").asText()
                + " revision "
                + answer.body().path("revision").asInt()
                + " ("
                + answer.body().path("status").asText()
                + "): "
                + answer.body().path("title").asText());
      }
      out.flush();
      return 0;
    }
  }

  /**
   * {@code postmortem export FILE.json} or {@code postmortem export --id ID}: a postmortem document
   * (a file, or the platform's latest revision) to Markdown (or JSON).
   */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write a postmortem as Markdown in the SRE-book template (or, with --json, as normalised"
            + " JSON): a JSON document FILE, or with --id the running platform's latest revision.",
        "Exit 0 when written, 1 when the platform has no such postmortem, 2 when the file is not a"
            + " postmortem document."
      })
  static final class Export implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.json", arity = "0..1")
    Path file;

    @Option(
        names = "--id",
        paramLabel = "ID",
        description = "export this postmortem of the platform")
    String id;

    @Option(names = "--json", description = "write JSON instead of Markdown")
    boolean json;

    @Mixin ApiOptions platform;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if ((file == null) == (id == null)) {
        throw new ParameterException(spec.commandLine(), "give either FILE.json or --id ID");
      }
      Postmortem postmortem;
      if (id != null) {
        PlatformClient.Answer answer =
            platform.get("/api/v1/postmortems/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
        if (answer.status() >= 300) {
          spec.commandLine()
              .getErr()
              .println(
                  "the platform answered "
                      + answer.status()
                      + ": "
                      + answer.body().path("error").asText());
          return 1;
        }
        postmortem =
            EventCodec.MAPPER.treeToValue(answer.body().path("document"), Postmortem.class);
      } else {
        try {
          postmortem = EventCodec.MAPPER.readValue(read(spec, file), Postmortem.class);
        } catch (IOException e) {
          throw new ParameterException(
              spec.commandLine(), file + " is not a postmortem document: " + e.getMessage());
        }
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

  /** {@code postmortem list}: the platform's postmortems. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The running platform's postmortems, most recently changed first.")
  static final class ListPostmortems implements Callable<Integer> {
    @Mixin ApiOptions platform;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer answer = platform.get("/api/v1/postmortems/");
      PrintWriter out = spec.commandLine().getOut();
      if (answer.status() >= 300) {
        spec.commandLine()
            .getErr()
            .println(
                "the platform answered "
                    + answer.status()
                    + ": "
                    + answer.body().path("error").asText());
        return 1;
      }
      if (json) {
        out.println(answer.body());
        return 0;
      }
      java.util.List<com.fasterxml.jackson.databind.JsonNode> all = new java.util.ArrayList<>();
      answer.body().path("postmortems").forEach(all::add);
      all.sort(
          java.util.Comparator.comparing(
                  (com.fasterxml.jackson.databind.JsonNode p) -> p.path("updated").asText())
              .reversed());
      if (all.isEmpty()) {
        out.println("no postmortem");
      }
      for (var p : all) {
        out.println(
            String.join(
                "  ",
                p.path("id").asText(),
                p.path("status").asText(),
                "r" + p.path("revision").asInt(),
                p.path("updated").asText(),
                p.path("incidentId").asText("-"),
                p.path("title").asText()));
      }
      return 0;
    }
  }

  /** {@code postmortem show ID}: one postmortem as Markdown. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "One postmortem of the running platform as Markdown (same as export --id).")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "ID")
    String id;

    @Mixin ApiOptions platform;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Export export = new Export();
      export.id = id;
      export.platform = platform;
      export.spec = spec;
      return export.call();
    }
  }
}
