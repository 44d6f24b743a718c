package io.valentia.app.cli;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    @Mixin Endpoints endpoints;

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
    public Integer call() throws InterruptedException {
      StringBuilder body = new StringBuilder("{\"check\":").append(quote(check));
      if (ttl != null) {
        body.append(",\"ttl\":").append(quote(ttl));
      }
      body.append(",\"sticky\":").append(sticky).append('}');
      return send(
          spec,
          endpoints,
          HttpRequest.newBuilder(uri(spec, endpoints, "/api/v1/health/mute"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
          json,
          "muted " + check);
    }
  }

  @Command(
      name = "unmute",
      mixinStandardHelpOptions = true,
      description = {"Unmute a check.", "Exit 1 when the check is not muted."})
  static final class Unmute implements Callable<Integer> {
    @Mixin Endpoints endpoints;

    @Parameters(paramLabel = "CHECK", description = "the check, e.g. MTU_MISMATCH")
    String check;

    @Option(names = "--json", description = "print the API's answer as JSON")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      return send(
          spec,
          endpoints,
          HttpRequest.newBuilder(
                  uri(
                      spec,
                      endpoints,
                      "/api/v1/health/mute/" + URLEncoder.encode(check, StandardCharsets.UTF_8)))
              .DELETE(),
          json,
          "unmuted " + check);
    }
  }

  static URI uri(CommandSpec spec, Endpoints endpoints, String path) {
    try {
      return URI.create(endpoints.url() + path);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--url is not an address: " + e.getMessage());
    }
  }

  static int send(
      CommandSpec spec, Endpoints endpoints, HttpRequest.Builder request, boolean json, String done)
      throws InterruptedException {
    String token = endpoints.token();
    if (token == null) {
      throw new ParameterException(
          spec.commandLine(), "an API token is needed: --token or VALENTIA_TOKEN");
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(
                  request
                      .header("Authorization", "Bearer " + token)
                      .timeout(Duration.ofSeconds(15))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ValentiaException(
          "no platform answers at " + endpoints.url() + " (" + e + "); is it up?");
    }
    if (response.statusCode() / 100 != 2) {
      throw new ValentiaException(
          "the platform refused (" + response.statusCode() + "): " + error(response.body()));
    }
    spec.commandLine().getOut().println(json ? response.body() : done);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** The {@code error} of a JSON error body, else the body. */
  private static String error(String body) {
    try {
      Object error = new io.vertx.core.json.JsonObject(body).getValue("error");
      return error instanceof String text ? text : body;
    } catch (RuntimeException e) {
      return body;
    }
  }

  private static String quote(String value) {
    return io.vertx.core.json.Json.encode(value);
  }
}
