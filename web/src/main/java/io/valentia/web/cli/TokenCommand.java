package io.valentia.web.cli;

import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import io.valentia.eventbus.service.Role;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code valentia token create|list|revoke|sessions|end-session}: API tokens and the browser
 * sessions made with them, through {@code /api/v1/tokens} and {@code /api/v1/sessions} of a running
 * platform, with an admin token ({@code --token} / {@code VALENTIA_TOKEN}).
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description =
        "Create, list or revoke API tokens; list or end browser sessions (needs an admin token).",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.List.class,
      TokenCommand.Revoke.class,
      TokenCommand.SessionList.class,
      TokenCommand.EndSession.class
    })
public final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "name a subcommand: create, list, revoke, sessions or end-session");
  }

  /** How the commands reach the platform (with an admin token), and whether they print JSON. */
  static final class Target {
    @Mixin ApiOptions platform;

    @Option(names = "--json", description = "print the API's answer as JSON")
    boolean json;
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a token; it is printed once and only its hash is kept.")
  static final class Create implements Callable<Integer> {
    @Mixin Target target;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "viewer, responder, operator or admin")
    String role;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "who or what uses it (default: ROLE-<random>)")
    String name;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (Role.parse(role).isEmpty()) {
        throw new ParameterException(
            spec.commandLine(), "--role must be viewer, responder, operator or admin");
      }
      String tokenName =
          name != null ? name : role + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
      JsonObject answer =
          send(
              spec,
              target,
              "POST",
              "/api/v1/tokens",
              new JsonObject().put("name", tokenName).put("role", role).encode());
      print(
          spec,
          target.json
              ? answer.encode()
              : answer.getString("token")
                  + "\n  name "
                  + answer.getString("name")
                  + ", role "
                  + answer.getString("role")
                  + ", id "
                  + answer.getString("id")
                  + " (shown only this once)");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens.")
  static final class List implements Callable<Integer> {
    @Mixin Target target;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      JsonObject answer = send(spec, target, "GET", "/api/v1/tokens", null);
      if (target.json) {
        print(spec, answer.encode());
        return 0;
      }
      StringBuilder out = new StringBuilder();
      answer
          .getJsonArray("tokens")
          .forEach(
              t -> {
                JsonObject token = (JsonObject) t;
                out.append(
                        String.format(
                            "%-36s  %-24s  %-9s  created %s by %s%s",
                            token.getString("id"),
                            token.getString("name"),
                            token.getString("role"),
                            token.getString("created"),
                            token.getString("createdBy"),
                            token.getString("revoked") == null
                                ? ""
                                : ", revoked " + token.getString("revoked")))
                    .append('\n');
              });
      print(
          spec,
          out.length() == 0
              ? "no tokens (besides the first admin token)"
              : out.toString().stripTrailing());
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by id.")
  static final class Revoke implements Callable<Integer> {
    @Mixin Target target;

    @Parameters(paramLabel = "ID", description = "the token's id (see token list)")
    String id;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      send(
          spec,
          target,
          "DELETE",
          "/api/v1/tokens/" + URLEncoder.encode(id, StandardCharsets.UTF_8),
          null);
      print(spec, target.json ? new JsonObject().put("revoked", id).encode() : "revoked " + id);
      return 0;
    }
  }

  @Command(
      name = "sessions",
      mixinStandardHelpOptions = true,
      description =
          "List the live browser sessions: principal, created, last seen, client address, user"
              + " agent (never a session's secret).")
  static final class SessionList implements Callable<Integer> {
    @Mixin Target target;

    @Option(
        names = "--principal",
        paramLabel = "NAME",
        description = "only the sessions of this token or user")
    String principal;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      JsonObject answer =
          send(
              spec,
              target,
              "GET",
              "/api/v1/sessions"
                  + (principal == null
                      ? ""
                      : "?principal=" + URLEncoder.encode(principal, StandardCharsets.UTF_8)),
              null);
      if (target.json) {
        print(spec, answer.encode());
        return 0;
      }
      StringBuilder out = new StringBuilder();
      answer
          .getJsonArray("sessions")
          .forEach(
              s -> {
                JsonObject session = (JsonObject) s;
                out.append(
                        String.format(
                            "%s  %-24s  %-9s  created %s, last seen %s, from %s, %s",
                            session.getString("id"),
                            session.getString("principal"),
                            session.getString("role"),
                            session.getString("created"),
                            session.getString("lastSeen", "-"),
                            session.getString("address", "?"),
                            session.getString("userAgent", "no user agent")))
                    .append('\n');
              });
      print(spec, out.length() == 0 ? "no live sessions" : out.toString().stripTrailing());
      return 0;
    }
  }

  @Command(
      name = "end-session",
      mixinStandardHelpOptions = true,
      description =
          "End a browser session by id (see token sessions), or every session of a principal;"
              + " it ends on every web process.")
  static final class EndSession implements Callable<Integer> {
    @Mixin Target target;

    @Parameters(
        arity = "0..1",
        paramLabel = "ID",
        description = "the session's id (see token sessions)")
    String id;

    @Option(
        names = "--principal",
        paramLabel = "NAME",
        description = "end every session of this token or user instead")
    String principal;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if ((id == null) == (principal == null)) {
        throw new ParameterException(
            spec.commandLine(), "name one session's ID or --principal NAME, not both");
      }
      if (id != null) {
        send(
            spec,
            target,
            "DELETE",
            "/api/v1/sessions/" + URLEncoder.encode(id, StandardCharsets.UTF_8),
            null);
        print(spec, target.json ? new JsonObject().put("ended", id).encode() : "ended " + id);
        return 0;
      }
      JsonObject answer =
          send(
              spec,
              target,
              "DELETE",
              "/api/v1/sessions?principal=" + URLEncoder.encode(principal, StandardCharsets.UTF_8),
              null);
      print(
          spec,
          target.json
              ? answer.encode()
              : "ended " + answer.getInteger("ended") + " session(s) of " + principal);
      return 0;
    }
  }

  static JsonObject send(CommandSpec spec, Target target, String method, String path, String body) {
    PlatformClient client = target.platform.client();
    target.platform.requireToken();
    String answer =
        client
            .timeouts(PlatformClient.CONNECT_TIMEOUT, Duration.ofSeconds(15))
            .send(method, path, body)
            .orThrow()
            .text();
    return answer.isBlank() ? new JsonObject() : new JsonObject(answer);
  }

  private static void print(CommandSpec spec, String text) {
    spec.commandLine().getOut().println(text);
    spec.commandLine().getOut().flush();
  }
}
