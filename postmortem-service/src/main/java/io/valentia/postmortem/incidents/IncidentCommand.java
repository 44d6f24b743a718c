package io.valentia.postmortem.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code valentia incident list|show|ack|resolve}: incidents through a running platform's API. */
@Command(
    name = "incident",
    mixinStandardHelpOptions = true,
    description = {
      "List, show, acknowledge and resolve incidents through a running platform's API",
      "(/api/v1/incidents). Exit 1 when the platform refuses or has no such incident."
    },
    subcommands = {
      IncidentCommand.ListIncidents.class,
      IncidentCommand.Show.class,
      IncidentCommand.Ack.class,
      IncidentCommand.Status.class
    })
public final class IncidentCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "name an incident command: list, show, ack, resolve or status");
  }

  static String encode(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  /** Prints the refusal and returns 1, or 0 when the answer is 2xx. */
  static int refused(PlatformClient.Answer answer, CommandSpec spec) {
    if (answer.status() < 300) {
      return 0;
    }
    spec.commandLine()
        .getErr()
        .println(
            "the platform answered "
                + answer.status()
                + ": "
                + answer.body().path("error").asText());
    return 1;
  }

  /** One line per incident: id, status, severity, age, subjects and title. */
  static String line(JsonNode i, Instant now) {
    Instant opened = Instant.parse(i.path("opened").asText(now.toString()));
    return String.join(
        "  ",
        i.path("id").asText(),
        i.path("status").asText(),
        i.path("severity").asText(),
        age(Duration.between(opened, now)),
        i.path("subjects").toString(),
        i.path("title").asText());
  }

  static String age(Duration d) {
    if (d.toDays() > 0) {
      return d.toDays() + "d";
    }
    if (d.toHours() > 0) {
      return d.toHours() + "h";
    }
    return Math.max(0, d.toMinutes()) + "m";
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The incidents, newest first (open ones only unless --all).")
  static final class ListIncidents implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Option(names = "--all", description = "resolved and closed ones too")
    boolean all;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer answer = platform.get("/api/v1/incidents/");
      if (refused(answer, spec) != 0) {
        return 1;
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(answer.body());
        return 0;
      }
      Instant now = Instant.now();
      List<JsonNode> incidents =
          StreamSupport.stream(answer.body().path("incidents").spliterator(), false)
              .filter(
                  i -> all || !List.of("resolved", "closed").contains(i.path("status").asText()))
              .sorted(Comparator.comparing((JsonNode i) -> i.path("opened").asText()).reversed())
              .toList();
      if (incidents.isEmpty()) {
        out.println(all ? "no incident" : "no open incident (--all shows every one)");
      }
      incidents.forEach(i -> out.println(line(i, now)));
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One incident in full.")
  static final class Show implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer answer = platform.get("/api/v1/incidents/" + encode(id));
      if (refused(answer, spec) != 0) {
        return 1;
      }
      PrintWriter out = spec.commandLine().getOut();
      JsonNode i = answer.body();
      if (json) {
        out.println(i);
        return 0;
      }
      out.println(i.path("title").asText());
      out.println("  id:        " + i.path("id").asText());
      out.println("  status:    " + i.path("status").asText());
      out.println("  severity:  " + i.path("severity").asText());
      out.println("  rule:      " + i.path("rule").asText());
      out.println("  opened:    " + i.path("opened").asText());
      out.println("  activity:  " + i.path("lastActivity").asText());
      out.println("  subjects:  " + i.path("subjects"));
      out.println("  runs:      " + i.path("experiments"));
      out.println("  evidence:  " + i.path("evidence").size() + " event(s)");
      for (JsonNode e : i.path("evidence")) {
        out.println("    " + e.asText());
      }
      return 0;
    }
  }

  @Command(
      name = "ack",
      mixinStandardHelpOptions = true,
      description = {
        "Acknowledge an incident: silence its notifications (a silence on incident=ID, as",
        "Slack's /valentia ack does) for --for (default 1d). Needs the notifications role."
      })
  static final class Ack implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--for", defaultValue = "1d", description = "how long (default 1d)")
    String duration;

    @Option(names = "--comment", defaultValue = "acknowledged", description = "why")
    String comment;

    @Override
    public Integer call() throws Exception {
      PlatformClient.Answer incident = platform.get("/api/v1/incidents/" + encode(id));
      if (refused(incident, spec) != 0) {
        return 1;
      }
      var body = EventCodec.MAPPER.createObjectNode();
      body.putArray("matchers")
          .add("incident=\"" + id.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
      body.put("duration", duration).put("comment", comment);
      PlatformClient.Answer answer = platform.send("POST", "/api/v1/silences", body.toString());
      if (refused(answer, spec) != 0) {
        return 1;
      }
      spec.commandLine()
          .getOut()
          .println(
              "acknowledged "
                  + id
                  + ": notifications silenced until "
                  + answer.body().path("endsAt").asText()
                  + " (silence "
                  + answer.body().path("id").asText()
                  + ")");
      return 0;
    }
  }

  @Command(
      name = "status",
      aliases = {"resolve", "mitigate", "close"},
      mixinStandardHelpOptions = true,
      description = {
        "Move an incident: `incident resolve ID`, `incident mitigate ID`, `incident close ID`,",
        "or `incident status ID STATUS` (open, mitigated, resolved, in-review, closed)."
      })
  static final class Status implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", arity = "0..1", paramLabel = "STATUS")
    String status;

    @Override
    public Integer call() throws Exception {
      String used =
          spec.commandLine().getParseResult().originalArgs().stream()
              .filter(a -> List.of("resolve", "mitigate", "close", "status").contains(a))
              .findFirst()
              .orElse("status");
      String target =
          switch (used) {
            case "resolve" -> "resolved";
            case "mitigate" -> "mitigated";
            case "close" -> "closed";
            default -> status;
          };
      if (target == null) {
        throw new ParameterException(spec.commandLine(), "name the status to move " + id + " to");
      }
      PlatformClient.Answer answer =
          platform.send(
              "POST",
              "/api/v1/incidents/" + encode(id) + "/status",
              EventCodec.MAPPER.createObjectNode().put("status", target).toString());
      if (answer.status() == 400) {
        throw new ParameterException(spec.commandLine(), answer.body().path("error").asText());
      }
      if (refused(answer, spec) != 0) {
        return 1;
      }
      spec.commandLine()
          .getOut()
          .println(id + " is " + answer.body().path("status").asText(target));
      return 0;
    }
  }
}
