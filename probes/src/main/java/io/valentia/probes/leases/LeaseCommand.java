package io.valentia.probes.leases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.PlatformClient;
import io.valentia.eventbus.config.Durations;
import java.io.PrintWriter;
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

/** {@code valentia lease grant|renew|revoke|list}: the lease service's API from the shell. */
@Command(
    name = "lease",
    mixinStandardHelpOptions = true,
    description = {
      "Grant, renew, revoke and list leases through a running platform's API (/api/v1/leases).",
      "Exit 1 when the platform refuses (resource held, no such lease, bad token)."
    },
    subcommands = {
      LeaseCommand.Grant.class,
      LeaseCommand.Renew.class,
      LeaseCommand.Revoke.class,
      LeaseCommand.ListLeases.class
    })
public final class LeaseCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a lease command");
  }

  /** How a lease command reaches the platform, and whether it prints the API's JSON. */
  static final class Api {
    @Mixin ApiOptions platform;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Sends a request; returns the JSON answer; exit 1 (an exception) on a refusal. */
    int call(String method, String path, String body, java.util.function.Consumer<JsonNode> human) {
      PlatformClient.Answer answer =
          platform
              .client()
              .timeouts(PlatformClient.CONNECT_TIMEOUT, Duration.ofSeconds(10))
              .send(method, "/api/v1/leases" + path, body);
      JsonNode json = answer.body();
      PrintWriter out = spec.commandLine().getOut();
      if (this.json) {
        out.println(json);
        out.flush();
      }
      answer.orThrow();
      if (!this.json) {
        human.accept(json);
        out.flush();
      }
      return 0;
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  static String describe(JsonNode lease) {
    JsonNode lessee = lease.path("lessee");
    return lease.path("id").asText()
        + "  "
        + lease.path("resource").asText()
        + "  "
        + lessee.path("name").asText()
        + (lessee.has("pid") ? " (pid " + lessee.get("pid").asText() + ")" : "")
        + "  expires "
        + lease.path("expiresAt").asText();
  }

  static String encode(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  @Command(name = "grant", mixinStandardHelpOptions = true, description = "Grant a resource.")
  static final class Grant implements Callable<Integer> {
    @Mixin Api api;

    @Parameters(paramLabel = "RESOURCE", description = "what to lease, e.g. hmd-0")
    String resource;

    @Option(names = "--name", required = true, description = "the lessee's name")
    String name;

    @Option(names = "--pid", description = "the lessee's process id, watched for exit or crash")
    Long pid;

    @Option(
        names = "--term",
        defaultValue = "5s",
        converter = Durations.Converter.class,
        description = "lease term; renew within it (default ${DEFAULT-VALUE})")
    Duration term;

    @Override
    public Integer call() {
      ObjectNode body = EventCodec.MAPPER.createObjectNode();
      body.put("resource", resource);
      ObjectNode lessee = body.putObject("lessee").put("name", name);
      if (pid != null) {
        lessee.put("pid", pid);
      }
      body.put("termMs", term.toMillis());
      return api.call(
          "POST", "", body.toString(), lease -> api.out().println("granted " + describe(lease)));
    }
  }

  @Command(name = "renew", mixinStandardHelpOptions = true, description = "Renew a lease.")
  static final class Renew implements Callable<Integer> {
    @Mixin Api api;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      return api.call(
          "POST",
          "/" + encode(id) + "/renew",
          "",
          lease -> api.out().println("renewed " + describe(lease)));
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a lease.")
  static final class Revoke implements Callable<Integer> {
    @Mixin Api api;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      return api.call(
          "DELETE",
          "/" + encode(id),
          null,
          lease -> api.out().println("revoked " + describe(lease)));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List active leases.")
  static final class ListLeases implements Callable<Integer> {
    @Mixin Api api;

    @Override
    public Integer call() {
      return api.call(
          "GET",
          "",
          null,
          answer -> {
            if (answer.path("leases").isEmpty()) {
              api.out().println("no active leases");
            }
            answer.path("leases").forEach(l -> api.out().println(describe(l)));
          });
    }
  }
}
