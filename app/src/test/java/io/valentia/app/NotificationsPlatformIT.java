package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.web.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The notifications role in a real platform process: a receiver that refuses while the process is
 * killed with SIGKILL gets every notification after the restart, each once; and the {@code silence}
 * and {@code notify} commands work against it.
 */
@DisplayName("Notifications in a running platform")
class NotificationsPlatformIT {
  private static final String TOKEN = TestTokens.ADMIN;

  @TempDir Path dir;

  /** The data and logs of {@link #running}. */
  @TempDir static Path runningDir;

  /** The receiver of {@link #running}'s notifications. */
  private static Receiver runningReceiver;

  /**
   * A platform (web, notifications and chaos) for the tests that only need one running, started by
   * the first of them: its route sends to {@link #runningReceiver}, and Slack's commands are signed
   * with {@code it-slack-secret}.
   */
  private static ChildPlatform running;

  @AfterAll
  static void stopRunning() throws Exception {
    if (running != null) {
      running.stop();
    }
    if (runningReceiver != null) {
      runningReceiver.close();
    }
  }

  private static ChildPlatform running() throws Exception {
    if (running == null) {
      runningReceiver = Receiver.start();
      runningReceiver.accepting.set(true);
      Path config = runningDir.resolve("valentia.yaml");
      Files.writeString(
          config,
          routeTo(runningReceiver)
              + String.join(
                  "\n",
                  "  slack:",
                  "    signing_secret: it-slack-secret",
                  "    users: {U0OPERATOR: operator}",
                  ""));
      running =
          ChildPlatform.up(
              runningDir, "running.log", config, TOKEN, "web", "notifications", "chaos");
    }
    return running;
  }

  /** A webhook receiver that refuses (503) until it is told to accept. */
  private static final class Receiver implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicBoolean accepting = new AtomicBoolean(false);

    /** The notification ids delivered, by the check of their group. */
    private final Map<String, List<String>> delivered = new ConcurrentHashMap<>();

    private final List<String> refused = new CopyOnWriteArrayList<>();
    private HttpServer server;

    static Receiver start() throws Exception {
      Receiver receiver = new Receiver();
      receiver.server =
          receiver
              .vertx
              .createHttpServer()
              .requestHandler(receiver::handle)
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      return receiver;
    }

    private void handle(HttpServerRequest request) {
      request
          .body()
          .onComplete(
              body -> {
                if (!accepting.get()) {
                  refused.add(request.path());
                  request.response().setStatusCode(503).end();
                  return;
                }
                try {
                  JsonNode message = EventCodec.MAPPER.readTree(body.result().toString());
                  String check = message.path("groupLabels").path("check").asText();
                  delivered
                      .computeIfAbsent(check, k -> new CopyOnWriteArrayList<>())
                      .add(request.getHeader("X-Valentia-Notification-Id"));
                } catch (Exception e) {
                  request.response().setStatusCode(400).end();
                  return;
                }
                request.response().setStatusCode(200).end("ok");
              });
    }

    int port() {
      return server.actualPort();
    }

    @Override
    public void close() throws Exception {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The notifications section that routes every group by check to {@code receiver}. */
  private static String routeTo(Receiver receiver) {
    return String.join(
        "\n",
        "notifications:",
        "  route:",
        "    receiver: team",
        "    group_by: [check]",
        "    group_wait: 1s",
        "    group_interval: 2s",
        "  receivers:",
        "    - name: team",
        "      webhook_configs: [{url: 'http://127.0.0.1:" + receiver.port() + "/hook'}]",
        "  delivery:",
        "    initial_backoff: 200ms",
        "    max_backoff: 1s",
        "");
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = Valentia.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    return cli.execute(args);
  }

  @Test
  @DisplayName(
      "A receiver that refuses while the platform is killed with SIGKILL gets every notification"
          + " after the restart, each exactly once")
  void killedPlatformLosesNoNotification() throws Exception {
    try (Receiver receiver = Receiver.start()) {
      killAndRestart(receiver);
    }
  }

  private void killAndRestart(Receiver receiver) throws Exception {
    Map<String, List<String>> delivered = receiver.delivered;
    List<String> refused = receiver.refused;
    Path config = dir.resolve("valentia.yaml");
    Files.writeString(config, routeTo(receiver));
    String prefix = "KILL_" + UUID.randomUUID().toString().substring(0, 6).toUpperCase() + "_";
    int checks = 12;
    ChildPlatform first = ChildPlatform.up(dir, "first.log", config, TOKEN, "web", "notifications");
    try {
      for (int i = 0; i < checks; i++) {
        StringWriter out = new StringWriter();
        assertThat(
                run(
                    out,
                    "emit",
                    "--kafka",
                    first.bootstrap(),
                    "--data-dir",
                    dir.resolve("data").toString(),
                    "--type",
                    "io.valentia.health.changed.v1",
                    "--source",
                    "/probes/ceph/osd-" + i,
                    "--subject",
                    prefix + i,
                    "--data",
                    "{\"check\":\""
                        + prefix
                        + i
                        + "\",\"status\":\"HEALTH_WARN\",\"summary\":\"slow\",\"detail\":[],"
                        + "\"count\":1}"))
            .as(out::toString)
            .isZero();
      }
      // every notification is recorded in the outbox and refused at least once
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                JsonNode log =
                    EventCodec.MAPPER.readTree(
                        first.send("GET", "/api/v1/notifications/log?limit=1000", null).body());
                long recorded = 0;
                for (JsonNode step : log) {
                  if (step.path("outcome").asText().equals("recorded")
                      && step.path("groupKey").asText().contains(prefix)) {
                    recorded++;
                  }
                }
                return recorded == checks && refused.size() >= checks;
              });
    } finally {
      first.kill();
    }
    assertThat(delivered).isEmpty();

    receiver.accepting.set(true);
    ChildPlatform second =
        ChildPlatform.up(dir, "second.log", config, TOKEN, "web", "notifications");
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(delivered.keySet().stream().filter(k -> k.startsWith(prefix)))
                      .hasSize(checks));
      // and nothing more arrives: each once
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(() -> delivered.values().stream().allMatch(ids -> ids.size() == 1));
      assertThat(delivered.values().stream().map(ids -> ids.get(0)).distinct()).hasSize(checks);
    } finally {
      second.stop();
    }
  }

  @Test
  @DisplayName(
      "valentia silence add, list and expire, and notify test, log and status work against a"
          + " running platform")
  void commands() throws Exception {
    ChildPlatform platform = running();
    Map<String, List<String>> delivered = runningReceiver.delivered;
    int deliveredBefore = delivered.values().stream().mapToInt(List::size).sum();
    String[] api = {"--url", platform.base(), "--token", TOKEN};
    StringWriter out = new StringWriter();
    assertThat(
            run(
                out,
                concat(
                    new String[] {
                      "silence", "add", "host=\"osd-3\"", "-d", "2h", "-c", "switch maintenance"
                    },
                    api)))
        .as(out::toString)
        .isZero();
    String id = out.toString().trim();
    assertThat(id).isNotBlank();

    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"silence", "list"}, api))).isZero();
    assertThat(out.toString())
        .contains(id)
        .contains("active")
        .contains("osd-3")
        .contains("switch maintenance");

    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"silence", "add", "host=\"x\""}, api)))
        .as("the comment is required")
        .isEqualTo(2);

    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"silence", "expire", id}, api)))
        .as(out::toString)
        .isZero();
    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"silence", "list", "--all"}, api))).isZero();
    assertThat(out.toString()).contains(id).contains("expired");

    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"notify", "test", "team"}, api)))
        .as(out::toString)
        .isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> delivered.values().stream().mapToInt(List::size).sum() > deliveredBefore);

    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"notify", "test", "nobody"}, api))).isEqualTo(1);
    assertThat(out.toString()).contains("no receiver nobody");

    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"notify", "log"}, api))).isZero();
    assertThat(out.toString()).contains("delivered");

    out = new StringWriter();
    assertThat(run(out, concat(new String[] {"notify", "status"}, api))).isZero();
    assertThat(out.toString()).contains("receiver team").contains("webhook");
  }

  @Test
  @DisplayName(
      "Slack's signed /valentia halt halts all chaos through the chaos role of the same process,"
          + " as the mapped user; a viewer's is refused and halts nothing")
  void slackHalt() throws Exception {
    ChildPlatform platform = running();
    String viewer = slackCommand(platform, "U0VIEWER", "bob", "halt not allowed");
    assertThat(EventCodec.MAPPER.readTree(viewer).path("text").asText()).contains("viewer");
    assertThat(
            EventCodec.MAPPER
                .readTree(platform.send("GET", "/api/v1/halt", null).body())
                .path("halted")
                .asBoolean())
        .isFalse();

    String answer = slackCommand(platform, "U0OPERATOR", "alice", "halt storage maintenance");
    JsonNode reply = EventCodec.MAPPER.readTree(answer);
    assertThat(reply.path("response_type").asText()).as(answer).isEqualTo("in_channel");
    assertThat(reply.path("text").asText()).contains("All chaos halted by alice");
    JsonNode halt = EventCodec.MAPPER.readTree(platform.send("GET", "/api/v1/halt", null).body());
    assertThat(halt.path("halted").asBoolean()).as(halt.toString()).isTrue();
    try (io.valentia.eventbus.kafka.StateTable<JsonNode> table =
        io.valentia.eventbus.kafka.StateTable.open(
            PlatformKafka.settings(
                runningDir.resolve("data"), platform.bootstrap(), "notifications-it"),
            io.valentia.eventbus.Topics.STATE_SCHEDULES,
            JsonNode.class)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(table.get("halt").map(JsonNode::toString).orElse(""))
                      .contains("slack:alice")
                      .contains("storage maintenance"));
    }
    // the switch is the platform's: released for the tests that share it
    assertThat(platform.send("POST", "/api/v1/halt", "{\"release\":true}").statusCode())
        .isEqualTo(200);
  }

  private static String slackCommand(ChildPlatform platform, String user, String name, String text)
      throws Exception {
    String body =
        "team_id=T0&user_id="
            + user
            + "&user_name="
            + name
            + "&command=%2Fvalentia&text="
            + java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    String timestamp = Long.toString(java.time.Instant.now().getEpochSecond());
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(
        new javax.crypto.spec.SecretKeySpec(
            "it-slack-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
    String signature =
        "v0="
            + java.util.HexFormat.of()
                .formatHex(
                    mac.doFinal(
                        ("v0:" + timestamp + ":" + body)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(platform.base() + "/api/v1/slack/commands"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", timestamp)
                .header("X-Slack-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
