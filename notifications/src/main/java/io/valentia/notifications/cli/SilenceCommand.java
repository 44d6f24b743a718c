package io.valentia.notifications.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code valentia silence add|list|expire}: notification silences from the shell. */
@Command(
    name = "silence",
    mixinStandardHelpOptions = true,
    description = {
      "Add, list and expire notification silences through a running platform's API",
      "(/api/v1/silences), as amtool does for Alertmanager.",
      "Exit 1 when the platform refuses."
    },
    subcommands = {
      SilenceCommand.Add.class,
      SilenceCommand.ListSilences.class,
      SilenceCommand.Expire.class
    })
public final class SilenceCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a silence command: add, list or expire");
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Silence the notifications whose labels match every MATCHER,",
        "e.g. valentia silence add 'host=\"osd-3\"' 'severity=~\"warning|info\"' -d 2h -c 'switch work'"
      })
  static final class Add implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "MATCHER", arity = "1..*", description = "label=\"value\", !=, =~, !~")
    List<String> matchers;

    @Option(
        names = {"-d", "--duration"},
        defaultValue = "1h",
        description = "how long (30m, 2h, 1d; default 1h)")
    String duration;

    @Option(
        names = {"-c", "--comment"},
        required = true,
        description = "why (required, as in Alertmanager)")
    String comment;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = EventCodec.MAPPER.createObjectNode();
      matchers.forEach(body.putArray("matchers")::add);
      body.put("duration", duration).put("comment", comment);
      PlatformClient.Answer answer = platform.send("POST", "/api/v1/silences", body.toString());
      PrintWriter out = spec.commandLine().getOut();
      if (answer.status() == 400) {
        throw new ParameterException(spec.commandLine(), answer.body().path("error").asText());
      }
      if (NotifyCommand.refused(answer, spec.commandLine().getErr()) != 0) {
        return 1;
      }
      out.println(json ? answer.body().toString() : answer.body().path("id").asText());
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The silences, newest first.")
  static final class ListSilences implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Option(names = "--all", description = "expired ones too")
    boolean all;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer answer = platform.get("/api/v1/silences");
      PrintWriter out = spec.commandLine().getOut();
      if (NotifyCommand.refused(answer, spec.commandLine().getErr()) != 0) {
        return 1;
      }
      if (json) {
        out.println(answer.body());
        return 0;
      }
      int shown = 0;
      for (JsonNode s : answer.body()) {
        String state = s.path("status").path("state").asText();
        if (!all && state.equals("expired")) {
          continue;
        }
        shown++;
        out.println(
            s.path("id").asText()
                + "  "
                + state
                + "  "
                + s.path("matchers")
                + "  until "
                + s.path("endsAt").asText()
                + "  by "
                + s.path("createdBy").asText()
                + ": "
                + s.path("comment").asText());
      }
      if (shown == 0) {
        out.println(all ? "no silence" : "no silence in force (--all shows expired ones)");
      }
      return 0;
    }
  }

  @Command(name = "expire", mixinStandardHelpOptions = true, description = "End silence ID now.")
  static final class Expire implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "the silence's id")
    String id;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer answer =
          platform.send("DELETE", "/api/v1/silences/" + NotifyCommand.encode(id), null);
      if (NotifyCommand.refused(answer, spec.commandLine().getErr()) != 0) {
        return 1;
      }
      spec.commandLine().getOut().println("expired " + id);
      return 0;
    }
  }
}
