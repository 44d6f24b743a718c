package io.valentia.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.valentia.app.Valentia;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code valentia} command run in-process, with no Kafka and no running platform. */
@DisplayName("The valentia command line")
class CommandLineTest {
  /** Nothing listens here: a connection is refused at once. */
  private static final String NO_KAFKA = "127.0.0.1:1";

  private static final Duration QUICKLY = Duration.ofSeconds(8);

  @Nested
  @DisplayName("Usage")
  class Usage {

    @Test
    @DisplayName("--help exits 0 and lists the up, status, emit and tail commands.")
    void help() {
      Run run = run("--help");

      assertThat(run.code).as(run.err).isZero();
      assertThat(commandsSection(run.out))
          .containsPattern("(?m)^ +up +Run the platform")
          .containsPattern("(?m)^ +status +Show the platform's health")
          .containsPattern("(?m)^ +emit +Publish one CloudEvent")
          .containsPattern("(?m)^ +tail +Print events");
    }

    @Test
    @DisplayName("--version exits 0 and names the build.")
    void version() {
      Run run = run("--version");

      assertThat(run.code).as(run.err).isZero();
      assertThat(run.out).startsWith("valentia ");
    }

    @Test
    @DisplayName("Every command has its own --help that exits 0.")
    void commandHelp() {
      for (String command : new String[] {"up", "status", "emit", "tail"}) {
        Run run = run(command, "--help");
        assertThat(run.code).as(command + ": " + run.err).isZero();
        assertThat(run.out).as(command).contains("Usage: valentia " + command);
      }
    }

    @Test
    @DisplayName("No command at all is bad usage: exit 2 with a hint to name one.")
    void noCommand() {
      Run run = run();

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("name a command");
    }

    @Test
    @DisplayName("An unknown option is bad usage: exit 2 naming the option.")
    void unknownOption() {
      Run run = run("--zzqx");

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("--zzqx");
    }

    @Test
    @DisplayName("An unknown command is bad usage: exit 2.")
    void unknownCommand() {
      Run run = run("zzqx");

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("zzqx");
    }

    @Test
    @DisplayName(
        "An unknown command with --help is bad usage: exit 2 saying unknown command and the"
            + " nearest real one, not the top-level usage.")
    void unknownCommandWithHelp() {
      Run run = run("statsu", "--help");

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("unknown command 'statsu'", "status");
      assertThat(run.out).doesNotContain("Usage:");
    }

    @Test
    @DisplayName("valentia zzqx --help exits 2 saying unknown command 'zzqx'.")
    void unknownCommandHelp() {
      Run run = run("zzqx", "--help");

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("unknown command 'zzqx'", "commands: up, status");
      assertThat(run.out).doesNotContain("Usage:");
    }

    @Test
    @DisplayName("An unknown subcommand of a command group names the group's nearest subcommand.")
    void unknownSubcommand() {
      Run run = run("health", "mutte", "X");

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("unknown command 'mutte'", "mute");
    }

    @Test
    @DisplayName(
        "A bad option value prints the error and a one-line hint to the command's --help, not the"
            + " usage text.")
    void badValueHint() {
      Run run = run("up", "--http-port", "abc");

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err)
          .contains("--http-port", "see 'valentia up --help'")
          .doesNotContain("Usage:");
      assertThat(run.err.lines()).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    @DisplayName(
        "An error a command raises itself (a cron minute of 61) prints the error and the hint,"
            + " not the usage text.")
    void commandRaisedUsageError(@TempDir Path dir) throws IOException {
      Path experiment = Files.writeString(dir.resolve("e.json"), "{}");

      Run run =
          assertTimeoutPreemptively(
              QUICKLY,
              () ->
                  run(
                      "schedule",
                      "add",
                      experiment.toString(),
                      "--cron",
                      "61 * * * *",
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("61", "see 'valentia schedule add --help'");
      assertThat(run.err).doesNotContain("Usage:");
    }

    @Test
    @DisplayName(
        "A Ceph file that is not ceph health detail output prints the error and the hint, not"
            + " the usage text.")
    void notCephOutput(@TempDir Path dir) throws IOException {
      Path file = Files.writeString(dir.resolve("ceph.txt"), "hello world\nnot ceph\n");

      Run run =
          assertTimeoutPreemptively(
              QUICKLY, () -> run("probe", "ceph", "--osd-network", file.toString()));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("see 'valentia probe ceph --help'").doesNotContain("Usage:");
    }
  }

  @Nested
  @DisplayName("emit")
  class Emit {

    @Test
    @DisplayName("emit without --type is bad usage: exit 2 naming --type.")
    void withoutType() {
      Run run = run("emit", "--kafka", NO_KAFKA, "--data", "{}");

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("--type");
    }

    @Test
    @DisplayName(
        "emit of a Valentia type whose data fails its schema exits 2 listing every missing"
            + " property, before it contacts Kafka.")
    void schemaInvalid() {
      Run run =
          assertTimeoutPreemptively(
              QUICKLY,
              () ->
                  run(
                      "emit",
                      "--type",
                      "io.valentia.probe.mtu.ping.v1",
                      "--data",
                      "{\"peer\":\"x\"}",
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err)
          .contains("not a valid event (schema-invalid)")
          .contains(
              "required property \"sizeBytes\"",
              "required property \"ok\"",
              "required property \"direction\"",
              "required property \"mode\"")
          .doesNotContain("required property \"peer\"", "did not take the event");
      assertThat(run.out).isEmpty();
    }

    @Test
    @DisplayName("emit with --data that is not JSON exits 2 saying so.")
    void dataNotJson() {
      Run run =
          assertTimeoutPreemptively(
              QUICKLY,
              () ->
                  run(
                      "emit",
                      "--type",
                      "com.example.deploy.v1",
                      "--data",
                      "not json",
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("not-json", "--data is not JSON");
    }

    @Test
    @DisplayName("emit with --data @FILE of a file that does not exist exits 2 naming the file.")
    void dataFileMissing(@TempDir Path dir) {
      Path missing = dir.resolve("missing.json");

      Run run =
          assertTimeoutPreemptively(
              QUICKLY,
              () ->
                  run(
                      "emit",
                      "--type",
                      "com.example.deploy.v1",
                      "--data",
                      "@" + missing,
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("cannot read --data", missing.toString());
    }

    @Test
    @DisplayName("emit with a severity other than info, warning or critical exits 2.")
    void badSeverity() {
      Run run =
          assertTimeoutPreemptively(
              QUICKLY,
              () ->
                  run(
                      "emit",
                      "--type",
                      "com.example.deploy.v1",
                      "--severity",
                      "loud",
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("--severity must be info, warning or critical", "loud");
    }

    @Test
    @DisplayName("emit of an unknown type in Valentia's namespace exits 2 with unknown-type.")
    void unknownValentiaType() {
      Run run =
          assertTimeoutPreemptively(
              QUICKLY,
              () ->
                  run(
                      "emit",
                      "--type",
                      "io.valentia.nope.v1",
                      "--data",
                      "{}",
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("unknown-type", "io.valentia.nope.v1");
    }

    @Test
    @DisplayName("emit with a --source that is not a URI-reference exits 2 naming source.")
    void badSource() {
      Run run =
          assertTimeoutPreemptively(
              QUICKLY,
              () ->
                  run(
                      "emit",
                      "--type",
                      "com.example.deploy.v1",
                      "--source",
                      "not a uri",
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("source");
    }
  }

  @Nested
  @DisplayName("An unreachable Kafka")
  class UnreachableKafka {

    @Test
    @DisplayName(
        "emit against an unreachable Kafka exits 1 naming the address and where it came from,"
            + " with the Kafka clients' warnings off.")
    void emitSaysWhichKafka() {
      Run run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () ->
                  run(
                      "emit",
                      "--type",
                      "com.example.deploy.v1",
                      "--data",
                      "{}",
                      "--kafka",
                      NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.PROBLEM);
      assertThat(run.err).contains("Kafka at " + NO_KAFKA + " (from --kafka)");
      assertThat(
              org.apache.logging.log4j.LogManager.getLogger(
                      "org.apache.kafka.clients.NetworkClient")
                  .isWarnEnabled())
          .as("the Kafka clients' WARN lines are off for a command-line command")
          .isFalse();
    }
  }

  @Nested
  @DisplayName("halt")
  class Halt {

    @Test
    @DisplayName(
        "halt with no platform at --url and an unreachable Kafka gives up after --kafka-timeout,"
            + " exit 1, naming the Kafka address, where it came from and that nothing was sent.")
    void unreachableKafkaIsBounded() {
      Run run =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  run(
                      "halt",
                      "--reason",
                      "test",
                      "--url",
                      "http://127.0.0.1:1",
                      "--token",
                      "some-token",
                      "--kafka",
                      NO_KAFKA,
                      "--kafka-timeout",
                      "1s"));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.PROBLEM);
      assertThat(run.err)
          .contains("no platform answers at http://127.0.0.1:1")
          .contains("halting through Kafka")
          .contains(
              "Kafka at " + NO_KAFKA + " (from --kafka) did not answer within 1 s (--kafka-timeout")
          .contains("the halt was NOT sent")
          .doesNotContain("\tat ");
      assertThat(run.out).isEmpty();
    }

    @Test
    @DisplayName(
        "halt falls back to Kafka when the platform takes the connection but does not answer"
            + " within --api-timeout, and says so.")
    void silentPlatformFallsBack() throws IOException {
      // the kernel completes the connection; nothing ever reads the request or answers it
      try (java.net.ServerSocket silent =
          new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
        String url = "http://127.0.0.1:" + silent.getLocalPort();
        Run run =
            assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () ->
                    run(
                        "halt",
                        "--url",
                        url,
                        "--token",
                        "some-token",
                        "--api-timeout",
                        "300ms",
                        "--kafka",
                        NO_KAFKA,
                        "--kafka-timeout",
                        "500ms"));

        assertThat(run.code).as(run.err).isEqualTo(Valentia.PROBLEM);
        assertThat(run.err)
            .contains(
                "the platform at "
                    + url
                    + " did not answer within 300 ms (--api-timeout); halting through Kafka")
            .contains("did not answer within 500 ms");
      }
    }

    @Test
    @DisplayName("halt with a --kafka-timeout that is not a duration above zero is bad usage.")
    void badKafkaTimeout() {
      for (String bad : new String[] {"0s", "soon"}) {
        Run run =
            assertTimeoutPreemptively(
                QUICKLY, () -> run("halt", "--kafka", NO_KAFKA, "--kafka-timeout", bad));

        assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
        assertThat(run.err).contains("--kafka-timeout").contains(bad);
      }
    }
  }

  @Nested
  @DisplayName("status")
  class Status {

    @Test
    @DisplayName("status exits 1 saying no platform answers when nothing listens at --url.")
    void nothingListening() {
      Run run =
          assertTimeoutPreemptively(QUICKLY, () -> run("status", "--url", "http://127.0.0.1:1"));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.PROBLEM);
      assertThat(run.err).contains("no platform answers at http://127.0.0.1:1/health");
    }

    @Test
    @DisplayName(
        "status with a --url that is not a URL is bad usage: exit 2 with a message, not a stack"
            + " trace.")
    void urlNotAUrl() {
      Run run = assertTimeoutPreemptively(QUICKLY, () -> run("status", "--url", "not a url"));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("not a url").doesNotContain("\tat ");
    }
  }

  @Nested
  @DisplayName("up")
  class Up {

    @Test
    @DisplayName("up with a --http-port that is not a number is bad usage: exit 2.")
    void httpPortNotANumber() {
      Run run = assertTimeoutPreemptively(QUICKLY, () -> run("up", "--http-port", "abc"));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("--http-port", "abc");
    }

    @Test
    @DisplayName(
        "up with a role this build does not have exits 2 from configuration loading, quickly and"
            + " without creating anything in the data directory.")
    void unknownRole(@TempDir Path data) throws IOException {
      Run run =
          assertTimeoutPreemptively(
              QUICKLY, () -> run("up", "--role", "nope", "--data", data.toString()));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err)
          .contains("bad configuration")
          .contains("roles (from the command line)", "\"nope\"", "not a role of this build");
      try (Stream<Path> created = Files.list(data)) {
        assertThat(created).isEmpty();
      }
    }

    @Test
    @DisplayName("up with a bad --config file exits 2 naming the file, without starting anything.")
    void badConfigFile(@TempDir Path dir) throws IOException {
      Path config = Files.writeString(dir.resolve("valentia.yaml"), "http:\n  port: abc\n");
      Path data = dir.resolve("data");

      Run run =
          assertTimeoutPreemptively(
              QUICKLY, () -> run("up", "--config", config.toString(), "--data", data.toString()));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("http.port (from " + config + ")", "must be an integer");
      assertThat(data).doesNotExist();
    }
  }

  @Nested
  @DisplayName("tail")
  class Tail {

    @Test
    @DisplayName(
        "tail with a --timeout that is not a duration is bad usage: exit 2 naming the forms.")
    void badTimeout() {
      Run run =
          assertTimeoutPreemptively(
              QUICKLY, () -> run("tail", "--timeout", "soon", "--kafka", NO_KAFKA));

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("soon", "500ms, 30s, 5m or 2h").doesNotContain("\tat ");
    }

    @Test
    @DisplayName("tail with a --max that is not a number is bad usage: exit 2.")
    void badMax() {
      Run run = run("tail", "--max", "many", "--kafka", NO_KAFKA);

      assertThat(run.code).as(run.err).isEqualTo(Valentia.USAGE);
      assertThat(run.err).contains("--max");
    }
  }

  /** The help from its command list on. */
  private static String commandsSection(String help) {
    return help.substring(help.indexOf("Commands:"));
  }

  private record Run(int code, String out, String err) {}

  /** Runs the command line as {@code main} builds it for these arguments. */
  private static Run run(String... args) {
    picocli.CommandLine commandLine = Valentia.commandLine(args.length > 0 ? args[0] : null);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
