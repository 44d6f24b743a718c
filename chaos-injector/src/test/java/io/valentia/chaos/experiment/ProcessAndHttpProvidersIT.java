package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.chaos.ChaosConfig;
import io.valentia.chaos.ChaosInjector;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.chaos.journal.ActivityRun;
import io.valentia.chaos.journal.Journal;
import io.valentia.chaos.testing.Runs;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.payload.Audit;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process and http providers against real processes and a real HTTP server: what the allow-list
 * refuses never runs and is audited; what it allows runs as the configured user, with a clean
 * environment and a timeout.
 */
class ProcessAndHttpProvidersIT {
  private final List<CloudEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger evilHits = new AtomicInteger();
  private Vertx vertx;
  private HttpServer allowed;
  private HttpServer evil;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    evil =
        vertx
            .createHttpServer()
            .requestHandler(
                rq -> {
                  evilHits.incrementAndGet();
                  rq.response().end("stolen");
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    allowed =
        vertx
            .createHttpServer()
            .requestHandler(
                rq -> {
                  switch (rq.path()) {
                    case "/api/health" ->
                        rq.response()
                            .putHeader("Content-Type", "application/json")
                            .end("{\"ok\":1}");
                    case "/api/moved" ->
                        rq.response().setStatusCode(302).putHeader("Location", "/api/health").end();
                    case "/api/away" ->
                        rq.response()
                            .setStatusCode(302)
                            .putHeader("Location", "http://127.0.0.1:" + evil.actualPort() + "/")
                            .end();
                    case "/api/silent" -> {} // never answers
                    default -> rq.response().setStatusCode(404).end();
                  }
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private String base() {
    return "http://127.0.0.1:" + allowed.actualPort();
  }

  private Journal run(ChaosConfig config, String json) {
    try (ChaosInjector chaos =
        new ChaosInjector(
            config, FaultCatalog.standard(), null, events::add, "/chaos/test", Clock.systemUTC())) {
      return chaos
          .runner()
          .run(
              Runs.experiment(json),
              new ExperimentRunner.RunOptions(null, Duration.ZERO, "alice", "operator"));
    }
  }

  private ChaosConfig allowing(Map<String, List<String>> lists) {
    return Runs.allowing().allowing(lists);
  }

  private List<Audit> audits() {
    return events.stream()
        .filter(e -> e.type().equals(EventType.AUDIT.type()))
        .peek(e -> EventCodec.instance().validateData(e))
        .map(e -> EventCodec.instance().payload(e, Audit.class))
        .toList();
  }

  @Test
  @DisplayName(
      "A process that is not on chaos.allow.executables never runs: the run fails naming the list to change, and the refusal is audited with who started the run")
  void refusedProcess(@TempDir Path dir) throws Exception {
    Runs.openToAll(dir);
    Path mark = dir.resolve("pwned");
    Journal journal =
        run(
            allowing(Map.of("executables", List.of("/bin/true"))),
            """
            {"title": "a shell", "method": [
              {"type": "action", "name": "shell", "provider": {"type": "process", "path": "/bin/sh",
                "arguments": ["-c", "touch %s"]}}]}
            """
                .formatted(mark));

    assertThat(journal.status()).isEqualTo("failed");
    assertThat(journal.run().get(0).exception())
        .contains("/bin/sh is not on the allow-list of executables (chaos.allow.executables)");
    assertThat(Files.exists(mark)).as("nothing ran").isFalse();
    assertThat(audits())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.actor()).isEqualTo("alice");
              assertThat(a.role()).isEqualTo("operator");
              assertThat(a.action()).isEqualTo("experiment.process");
              assertThat(a.target()).isEqualTo("/bin/sh");
              assertThat(a.outcome()).isEqualTo("denied");
              assertThat(a.details().path("activity").asText()).isEqualTo("shell");
            });
  }

  @Test
  @DisplayName(
      "A process named without an absolute path is refused even when an executable of that name is listed")
  void relativePathRefused() {
    Journal journal =
        run(
            allowing(Map.of("executables", List.of("/bin/true"))),
            """
            {"title": "relative", "method": [
              {"type": "action", "name": "true", "provider": {"type": "process", "path": "true"}}]}
            """);

    assertThat(journal.status()).isEqualTo("failed");
    assertThat(journal.run().get(0).exception())
        .contains("absolute path", "chaos.allow.executables");
  }

  @Test
  @DisplayName(
      "An allowed process runs as nobody when the injector is root, and its environment holds PATH and the activity's env only, none of the injector's")
  void userAndEnvironment() throws Exception {
    Journal journal =
        run(
            allowing(Map.of("executables", List.of("/usr/bin/id", "/usr/bin/env"))),
            """
            {"title": "who and what", "method": [
              {"type": "probe", "name": "who", "provider": {"type": "process", "path": "/usr/bin/id", "arguments": ["-u"]}},
              {"type": "probe", "name": "env", "provider": {"type": "process", "path": "/usr/bin/env",
                "env": {"GREETING": "hello"}}}]}
            """);

    assertThat(journal.status()).as(journal.toJson().toPrettyString()).isEqualTo("completed");
    String uid = journal.run().get(0).output().path("stdout").asText().strip();
    boolean root = "0".equals(ownUid());
    assertThat(uid)
        .as("the injector runs as uid %s", ownUid())
        .isEqualTo(root ? nobodyUid() : ownUid());
    List<String> names =
        journal
            .run()
            .get(1)
            .output()
            .path("stdout")
            .asText()
            .lines()
            .map(l -> l.substring(0, l.indexOf('=')))
            .toList();
    assertThat(names).containsExactlyInAnyOrder("PATH", "GREETING");
    assertThat(System.getenv()).as("the injector has variables of its own").isNotEmpty();
  }

  @Test
  @DisplayName(
      "A process user that does not exist fails the activity naming chaos.processUser, rather than running it as root")
  void unknownUser() throws Exception {
    ChaosConfig config =
        ChaosConfig.read(
            EventCodec.MAPPER.readTree(
                "{\"allow\": {\"executables\": [\"/usr/bin/id\"]}, \"processUser\": \"no-such-user-here\"}"));
    Journal journal =
        run(
            config,
            """
            {"title": "who", "method": [
              {"type": "probe", "name": "who", "provider": {"type": "process", "path": "/usr/bin/id", "arguments": ["-u"]}}]}
            """);

    if ("0".equals(ownUid())) {
      assertThat(journal.status()).isEqualTo("failed");
      assertThat(journal.run().get(0).exception())
          .contains("no user no-such-user-here on this machine (chaos.processUser)");
    } else {
      assertThat(journal.run().get(0).output().path("stdout").asText().strip())
          .as("only root can change user: the process runs as the injector's user")
          .isEqualTo(ownUid());
    }
  }

  @Test
  @DisplayName(
      "A process that outlives its activity's timeout, or the configured providerTimeout when it has none, is killed and fails its activity")
  void timeouts() throws Exception {
    ChaosConfig config =
        ChaosConfig.read(
                EventCodec.MAPPER.readTree(
                    "{\"allow\": {\"executables\": [\"/bin/sleep\"]}, \"providerTimeout\": \"1s\"}"))
            .allowing(Map.of());
    Journal journal =
        run(
            config,
            """
            {"title": "sleepers", "method": [
              {"type": "action", "name": "own-timeout", "tolerate_failure": true,
               "provider": {"type": "process", "path": "/bin/sleep", "arguments": ["60"], "timeout": 1}},
              {"type": "action", "name": "default-timeout", "tolerate_failure": true,
               "provider": {"type": "process", "path": "/bin/sleep", "arguments": ["60"]}}]}
            """);

    assertThat(journal.run())
        .extracting(ActivityRun::exception)
        .containsExactly(
            "/bin/sleep did not end within 1.0 s and was killed",
            "/bin/sleep did not end within 1.0 s and was killed");
  }

  @Test
  @DisplayName(
      "An http call outside chaos.allow.urls is refused and audited; a redirect inside the prefix is followed, one to another host is refused before it is called")
  void httpAllowList() {
    Journal journal =
        run(
            allowing(Map.of("urls", List.of(base() + "/api/"))),
            """
            {"title": "calls", "method": [
              {"type": "probe", "name": "health", "provider": {"type": "http", "url": "%1$s/api/moved"}},
              {"type": "probe", "name": "away", "tolerate_failure": true,
               "provider": {"type": "http", "url": "%1$s/api/away"}},
              {"type": "probe", "name": "outside", "tolerate_failure": true,
               "provider": {"type": "http", "url": "http://127.0.0.1:%2$d/"}}]}
            """
                .formatted(base(), evil.actualPort()));

    assertThat(journal.run().get(0).status()).isEqualTo("succeeded");
    assertThat(journal.run().get(0).output().path("body").path("ok").asInt()).isEqualTo(1);
    assertThat(journal.run().get(1).exception())
        .contains("redirected (302) to URL http://127.0.0.1:" + evil.actualPort())
        .contains("chaos.allow.urls");
    assertThat(journal.run().get(2).exception())
        .contains("is not on the allow-list of URL prefixes (chaos.allow.urls)");
    assertThat(evilHits.get()).as("the host outside the list was never called").isZero();
    assertThat(audits())
        .extracting(Audit::action, Audit::outcome)
        .containsOnly(org.assertj.core.groups.Tuple.tuple("experiment.http", "denied"))
        .hasSize(2);
  }

  @Test
  @DisplayName("An http call that does not answer fails at the activity's timeout")
  void httpTimeout() {
    Journal journal =
        run(
            allowing(Map.of("urls", List.of(base() + "/api/"))),
            """
            {"title": "silence", "method": [
              {"type": "probe", "name": "silent", "provider": {"type": "http", "url": "%s/api/silent", "timeout": 1}}]}
            """
                .formatted(base()));

    assertThat(journal.status()).isEqualTo("failed");
    assertThat(journal.run().get(0).exception()).contains("did not answer within PT1S");
  }

  private static String ownUid() {
    try {
      return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String nobodyUid() throws Exception {
    for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
      if (line.startsWith("nobody:")) {
        return line.split(":")[2];
      }
    }
    throw new AssertionError("no nobody in /etc/passwd");
  }
}
