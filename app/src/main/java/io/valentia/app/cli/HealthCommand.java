package io.valentia.app.cli;

import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.KafkaAddress;
import io.valentia.eventbus.cli.PlatformClient;
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

/** {@code valentia health mute|unmute}: like {@code ceph health mute}. */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = "Mute or unmute a health check (it stays visible but no longer sets the status).",
    subcommands = {HealthCommand.Mute.class, HealthCommand.Unmute.class})
public final class HealthCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: mute or unmute");
  }

  @Command(
      name = "mute",
      mixinStandardHelpOptions = true,
      description = {
        "Mute a check, for --ttl or until unmuted. A mute ends when the check clears or its count"
            + " grows, unless --sticky.",
        "Only a check that is raised now can be muted, unless --sticky (which can name a check"
            + " before it is raised). Exit 1 when the platform refuses."
      })
  static final class Mute implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Mixin KafkaAddress kafka; // accepted like every command's that talks to a platform

    @Parameters(paramLabel = "CHECK", description = "the check, e.g. MTU_MISMATCH")
    String check;

    @Option(names = "--ttl", paramLabel = "TTL", description = "how long: 30s, 15m, 2h, 1d")
    String ttl;

    @Option(names = "--sticky", description = "keep the mute when the check clears or grows")
    boolean sticky;

    @Option(names = "--json", description = "print the API's answer as JSON")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      StringBuilder body = new StringBuilder("{\"check\":").append(quote(check));
      if (ttl != null) {
        body.append(",\"ttl\":").append(quote(ttl));
      }
      body.append(",\"sticky\":").append(sticky).append('}');
      return send(
          spec, platform, "POST", "/api/v1/health/mute", body.toString(), json, "muted " + check);
    }
  }

  @Command(
      name = "unmute",
      mixinStandardHelpOptions = true,
      description = {"Unmute a check.", "Exit 1 when the check is not muted."})
  static final class Unmute implements Callable<Integer> {
    @Mixin ApiOptions platform;
    @Mixin KafkaAddress kafka; // accepted like every command's that talks to a platform

    @Parameters(paramLabel = "CHECK", description = "the check, e.g. MTU_MISMATCH")
    String check;

    @Option(names = "--json", description = "print the API's answer as JSON")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      return send(
          spec,
          platform,
          "DELETE",
          "/api/v1/health/mute/" + URLEncoder.encode(check, StandardCharsets.UTF_8),
          null,
          json,
          "unmuted " + check);
    }
  }

  static int send(
      CommandSpec spec,
      ApiOptions platform,
      String method,
      String path,
      String body,
      boolean json,
      String done) {
    platform.requireToken();
    PlatformClient.Answer answer =
        platform
            .client()
            .timeouts(PlatformClient.CONNECT_TIMEOUT, Duration.ofSeconds(15))
            .send(method, path, body)
            .orThrow();
    spec.commandLine().getOut().println(json ? answer.text() : done);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static String quote(String value) {
    return io.vertx.core.json.Json.encode(value);
  }
}
