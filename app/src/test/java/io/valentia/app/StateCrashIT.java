package io.valentia.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.schedule.Scheduler;
import io.valentia.chaos.state.ControlState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.EventType;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.health.CheckMute;
import io.valentia.eventbus.health.RaisedCheck;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.TopicReader;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.ExperimentStarted;
import io.valentia.eventbus.payload.FrameDropped;
import io.valentia.eventbus.payload.HealthChanged;
import io.valentia.eventbus.payload.MtuMismatch;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.postmortem.incidents.IncidentState;
import io.valentia.web.testing.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code valentia up} (postmortem, probes, chaos and web) in a JVM of its own on an external
 * broker, killed with SIGKILL while events open incidents and a schedule fires every two seconds,
 * then started again on the same data dir and broker: nothing it had is lost and nothing it did is
 * done twice.
 */
@DisplayName("A platform killed with SIGKILL in the middle of its work")
class StateCrashIT {
  private static final String TOKEN = TestTokens.ADMIN;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int SIGKILL_EXIT = 128 + 9;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** A probe event that should open an incident on {@code subject}. */
  private record Trigger(String subject, String eventId) {}

  @Test
  @DisplayName(
      "keeps every incident, lease, mute and schedule firing across a restart on the same data"
          + " dir: no incident is opened twice for the same evidence, no firing is lost and no due"
          + " time fires twice")
  void killedMidActivityLosesNothingAndRepeatsNothing() throws Exception {
    String bootstrap = KafkaTestSupport.bootstrapServers();
    System.out.println("the platforms' output is in " + dir + " (kept when the test fails)");
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String scheduleId = "crash-" + tag;
    String experimentTitle = "Crash test " + tag;
    String ttlCheck = "TEST_CRASH_TTL_" + tag.toUpperCase();
    String stickyCheck = "TEST_CRASH_STICKY_" + tag.toUpperCase();
    Map<String, Trigger> triggers = new ConcurrentHashMap<>();

    Map<String, String> leasesBefore;
    Map<String, IncidentState> incidentsBefore;
    Map<String, CheckMute> mutesBefore;
    List<Scheduler.Firing> firingsBefore;
    String movedIncident;

    ChildPlatform first = up(bootstrap, "first.log");
    AtomicBoolean emitting = new AtomicBoolean(true);
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.rawProducer()) {
      String base = first.base();
      HttpResponse<String> scheduled =
          send(
              "POST",
              base + "/api/v1/schedules",
              """
              {"id": "%s", "schedule": "every 2s",
               "experiment": {"title": "%s", "method": [{"type": "probe", "name": "nothing",
                 "provider": {"type": "valentia", "probe": "event-count",
                   "arguments": {"type": "com.example.none.v1", "window": "1s"}}}]},
               "options": {"historyLimit": 1000, "missed": "skip"}}
              """
                  .formatted(scheduleId, experimentTitle));
      assertThat(scheduled.statusCode()).as(scheduled.body()).isEqualTo(201);

      for (int i = 0; i < 3; i++) {
        HttpResponse<String> granted =
            send(
                "POST",
                base + "/api/v1/leases",
                "{\"resource\":\"hmd-crash-%s-%d\",\"lessee\":{\"name\":\"vr-app-%d\"},\"termMs\":3600000}"
                    .formatted(tag, i, i));
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
      }
      String revoked = ourLeaseIds(base, tag).get(1);
      assertThat(send("DELETE", base + "/api/v1/leases/" + revoked, null).statusCode())
          .isEqualTo(200);
      raise(ttlCheck); // a mute that is not sticky needs a raised check
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> send("GET", base + "/health", null).body().contains(ttlCheck));
      assertThat(
              send(
                      "POST",
                      base + "/api/v1/health/mute",
                      "{\"check\":\"" + ttlCheck + "\",\"ttl\":\"2h\"}")
                  .statusCode())
          .isEqualTo(202);
      assertThat(
              send(
                      "POST",
                      base + "/api/v1/health/mute",
                      "{\"check\":\"" + stickyCheck + "\",\"sticky\":true}")
                  .statusCode())
          .isEqualTo(202);
      leasesBefore = ourLeases(base, tag);
      assertThat(leasesBefore).hasSize(2).doesNotContainKey(revoked);

      for (int i = 0; i < 3; i++) {
        mismatch(producer, triggers, "osd-" + tag + "-" + i + "->osd-9");
      }
      frameBursts(producer, triggers, "hmd-" + tag + "-a");
      producer.flush();

      Set<String> early = Set.copyOf(triggers.keySet());
      await()
          .atMost(Duration.ofSeconds(120))
          .untilAsserted(
              () ->
                  assertThat(incidents(bootstrap, early::contains).values())
                      .as(() -> "incidents of %s; health: %s".formatted(early, health(base)))
                      .flatExtracting(IncidentState::subjects)
                      .containsAll(early));
      movedIncident =
          incidents(bootstrap, early::contains).values().stream()
              .filter(i -> i.rule().equals("mtu-mismatch"))
              .findFirst()
              .orElseThrow()
              .id();
      HttpResponse<String> moved =
          send(
              "POST",
              base + "/api/v1/incidents/" + movedIncident + "/status",
              "{\"status\":\"mitigated\"}");
      assertThat(moved.statusCode()).as(moved.body()).isBetween(200, 299);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> firings(bootstrap, scheduleId).size() >= 3);

      // keep events coming while the platform dies
      KafkaProducer<byte[], byte[]> live = producer;
      Thread emitter =
          new Thread(
              () -> {
                int n = 0;
                while (emitting.get()) {
                  mismatch(live, triggers, "osd-" + tag + "-late-" + n + "->osd-9");
                  if (n % 2 == 0) {
                    frameBursts(live, triggers, "hmd-" + tag + "-late-" + n);
                  }
                  live.flush();
                  n++;
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "crash-test-emitter");
      emitter.start();
      int before = triggers.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> triggers.size() >= before + 6);

      first.process().destroyForcibly();
      assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.process().exitValue())
          .as("the child JVM died of SIGKILL")
          .isEqualTo(SIGKILL_EXIT);
      emitting.set(false);
      emitter.join(30_000);
    } finally {
      emitting.set(false);
      if (first.process().isAlive()) {
        first.kill();
      }
    }

    // what Kafka holds of the killed platform's state
    incidentsBefore = incidents(bootstrap, triggers::containsKey);
    assertThat(incidentsBefore.get(movedIncident).status()).isEqualTo("mitigated");
    mutesBefore = mutes(bootstrap, Set.of(ttlCheck, stickyCheck));
    assertThat(mutesBefore).containsOnlyKeys(ttlCheck, stickyCheck);
    firingsBefore = firings(bootstrap, scheduleId);
    assertThat(firingsBefore).hasSizeGreaterThanOrEqualTo(3);

    ChildPlatform second = up(bootstrap, "second.log");
    try {
      String again = second.base();
      // every triggering event is processed, those the killed platform had not seen too
      await()
          .atMost(Duration.ofSeconds(150))
          .until(
              () ->
                  incidents(bootstrap, triggers::containsKey).values().stream()
                          .flatMap(i -> i.subjects().stream())
                          .filter(triggers::containsKey)
                          .distinct()
                          .count()
                      == triggers.size());
      Map<String, IncidentState> incidentsAfter = incidents(bootstrap, triggers::containsKey);
      incidentsBefore.forEach(
          (id, incident) ->
              assertThat(incidentsAfter.get(id)).as("incident %s", id).isEqualTo(incident));
      assertThat(incidentsAfter.values())
          .as("one incident per subject")
          .extracting(i -> i.subjects().get(0))
          .doesNotHaveDuplicates()
          .hasSize(triggers.size());
      for (IncidentState incident : incidentsAfter.values()) {
        Trigger trigger = triggers.get(incident.subjects().get(0));
        assertThat(incident.evidence()).as(incident.id()).containsExactly(trigger.eventId());
      }
      Map<String, List<CloudEvent>> opened = openedBySubject(bootstrap, triggers.keySet());
      triggers.forEach(
          (subject, trigger) ->
              assertThat(opened.get(subject))
                  .as("incident.opened events on valentia.events for %s", subject)
                  .hasSize(1));

      assertThat(ourLeases(again, tag)).isEqualTo(leasesBefore);
      assertThat(mutes(bootstrap, Set.of(ttlCheck, stickyCheck))).isEqualTo(mutesBefore);

      // the schedule fires again under the restarted platform
      Instant lastBefore = firingsBefore.get(firingsBefore.size() - 1).at();
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  firings(bootstrap, scheduleId).stream()
                          .filter(f -> f.at().isAfter(lastBefore))
                          .count()
                      >= 2);
      // paused first, so that no firing comes between reading the firings and the runs started
      assertThat(
              send("POST", again + "/api/v1/schedules/" + scheduleId + "/pause", null).statusCode())
          .isEqualTo(200);
      List<Scheduler.Firing> firingsAfter =
          await()
              .pollDelay(Duration.ofSeconds(3))
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> firings(bootstrap, scheduleId),
                  f -> f.equals(firings(bootstrap, scheduleId)));
      assertThat(send("DELETE", again + "/api/v1/schedules/" + scheduleId, null).statusCode())
          .isEqualTo(200);
      checkFirings(bootstrap, experimentTitle, firingsBefore, firingsAfter);
    } finally {
      second.process().destroy();
      if (!second.process().waitFor(60, TimeUnit.SECONDS)) {
        second.kill();
      }
    }
  }

  /**
   * No firing recorded before the kill is lost, no due time is in the history twice, and every run
   * a firing names was started exactly once on valentia.events.
   */
  private static void checkFirings(
      String bootstrap,
      String experimentTitle,
      List<Scheduler.Firing> before,
      List<Scheduler.Firing> after) {
    Map<Instant, Scheduler.Firing> afterByDue = new HashMap<>();
    after.forEach(f -> afterByDue.put(f.at(), f));
    assertThat(after).extracting(Scheduler.Firing::at).doesNotHaveDuplicates();
    for (Scheduler.Firing firing : before) {
      Scheduler.Firing kept = afterByDue.get(firing.at());
      assertThat(kept)
          .as(
              "the firing due %s after the restart; before: %s; after: %s",
              firing.at(), before, after)
          .isNotNull();
      if (firing.runId() != null) {
        assertThat(kept.runId()).isEqualTo(firing.runId());
      }
    }
    List<String> runIds =
        after.stream().map(Scheduler.Firing::runId).filter(r -> r != null).toList();
    assertThat(runIds).doesNotHaveDuplicates().isNotEmpty();

    List<String> started = new ArrayList<>();
    readEvents(
        bootstrap,
        e -> e.type().equals(EventType.CHAOS_EXPERIMENT_STARTED.type()),
        e -> {
          ExperimentStarted run = EventCodec.instance().payload(e, ExperimentStarted.class);
          if (run.title().equals(experimentTitle)) {
            started.add(run.runId());
          }
        });
    assertThat(started).as("runs of the schedule started").doesNotHaveDuplicates();
    assertThat(started).as("every run a firing names was started").containsAll(runIds);
    long startedFirings = after.stream().filter(f -> f.outcome().startsWith("started")).count();
    assertThat((long) started.size())
        .as(
            "no more runs started than firings that start one; started %s; firings before %s;"
                + " after %s",
            started, before, after)
        .isLessThanOrEqualTo(startedFirings);
  }

  // ---- events ----

  private static void mismatch(
      KafkaProducer<byte[], byte[]> producer, Map<String, Trigger> triggers, String subject) {
    CloudEvent event =
        publish(
            producer,
            new MtuMismatch("osd-9:7347", 1472, 8972, 1500, "out"),
            "/probes/mtu/crash-test",
            subject);
    triggers.put(subject, new Trigger(subject, event.id()));
  }

  /** Three dropped-frame bursts: the third opens the incident and is its evidence. */
  private static void frameBursts(
      KafkaProducer<byte[], byte[]> producer, Map<String, Trigger> triggers, String subject) {
    CloudEvent last = null;
    for (int i = 0; i < 3; i++) {
      last =
          publish(
              producer,
              new FrameDropped(90, 5, i * 100L, i * 100L + 4, 40_000, "loop"),
              "/probes/frames/crash-test",
              subject);
    }
    triggers.put(subject, new Trigger(subject, last.id()));
  }

  private static CloudEvent publish(
      KafkaProducer<byte[], byte[]> producer, EventPayload payload, String source, String subject) {
    CloudEvent event = CloudEvent.of(payload).source(source).subject(subject).build();
    try {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.EVENTS,
                  Topics.keyOf(event).getBytes(StandardCharsets.UTF_8),
                  EventCodec.instance().encode(event)))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not publish " + event.type(), e);
    }
    return event;
  }

  /** The incident.opened events on valentia.events for {@code subjects}, by subject. */
  private static Map<String, List<CloudEvent>> openedBySubject(
      String bootstrap, Set<String> subjects) {
    Map<String, List<CloudEvent>> opened = new HashMap<>();
    readEvents(
        bootstrap,
        e -> e.type().equals(EventType.INCIDENT_OPENED.type()) && subjects.contains(e.subject()),
        e -> opened.computeIfAbsent(e.subject(), s -> new ArrayList<>()).add(e));
    return opened;
  }

  private static void readEvents(
      String bootstrap,
      Predicate<CloudEvent> keep,
      java.util.function.Consumer<CloudEvent> handler) {
    try (TopicReader reader =
        TopicReader.open(
            KafkaSettings.forCommandLine(bootstrap, "crash-test"), "crash-test", Topics.EVENTS)) {
      reader.seekToBeginning();
      reader.readToEnd(
          r -> r.value() != null,
          (LogRecord r) -> {
            CloudEvent event;
            try {
              event = EventCodec.instance().decode(r.value());
            } catch (RuntimeException e) {
              return;
            }
            if (keep.test(event)) {
              handler.accept(event);
            }
          },
          (n, total) -> {},
          Duration.ofSeconds(120));
    }
  }

  // ---- state tables ----

  /** The incidents whose subjects include one {@code ours} accepts, by id. */
  private static Map<String, IncidentState> incidents(String bootstrap, Predicate<String> ours) {
    Map<String, IncidentState> out = new TreeMap<>();
    table(bootstrap, Topics.STATE_INCIDENTS, IncidentState.class)
        .forEach(
            (id, incident) -> {
              if (incident.subjects().stream().anyMatch(ours)) {
                out.put(id, incident);
              }
            });
    return out;
  }

  private static Map<String, CheckMute> mutes(String bootstrap, Set<String> checks) {
    Map<String, CheckMute> out =
        new TreeMap<>(table(bootstrap, Topics.STATE_MUTES, CheckMute.class));
    out.keySet().retainAll(checks);
    return out;
  }

  private static List<Scheduler.Firing> firings(String bootstrap, String scheduleId) {
    ControlState state =
        table(bootstrap, Topics.STATE_SCHEDULES, ControlState.class)
            .get(ControlState.firedKey(scheduleId));
    return state == null || state.firings() == null ? List.of() : state.firings();
  }

  private static <V> Map<String, V> table(String bootstrap, String topic, Class<V> type) {
    try (StateTable<V> table =
        StateTable.open(KafkaSettings.forCommandLine(bootstrap, "crash-test"), topic, type)) {
      await().atMost(Duration.ofSeconds(60)).until(table::isRestored);
      return table.snapshot();
    }
  }

  // ---- the child platform ----

  /** Starts {@code valentia up} on the test's data dir and the external broker; waits for it. */
  private ChildPlatform up(String bootstrap, String logName) throws Exception {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "--data",
                dir.resolve("data").toString(),
                "--kafka",
                bootstrap,
                "--http-port",
                "0",
                "--http-host",
                "127.0.0.1"));
    for (String role : List.of("postmortem", "probes", "chaos", "web")) {
      arguments.add("--role");
      arguments.add(role);
    }
    return ChildPlatform.start(dir.resolve(logName), TOKEN, arguments);
  }

  /** Raises {@code check} as a probe would: its part in the health state table. */
  private static void raise(String check) throws Exception {
    try (StateTable<RaisedCheck> table =
        StateTable.open(KafkaTestSupport.settings(), Topics.STATE_HEALTH, RaisedCheck.class)) {
      table.restored().get(60, TimeUnit.SECONDS);
      String source = "/probes/test/crash";
      HealthChanged change =
          new HealthChanged(check, "HEALTH_WARN", "raised by the test", List.of(), 1);
      table
          .put(
              RaisedCheck.key(check, source),
              RaisedCheck.after(null, source, change, Instant.now()))
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** This test's leases by id, without the renewal times (a restored lease starts a new term). */
  private static Map<String, String> ourLeases(String base, String tag) throws Exception {
    Map<String, String> out = new TreeMap<>();
    JsonNode answer = EventCodec.MAPPER.readTree(send("GET", base + "/api/v1/leases", null).body());
    for (JsonNode lease : answer.get("leases")) {
      if (lease.get("resource").asText().contains(tag)) {
        ((ObjectNode) lease).remove(List.of("lastRenewal", "expiresAt"));
        out.put(lease.get("id").asText(), lease.toString());
      }
    }
    return out;
  }

  private static List<String> ourLeaseIds(String base, String tag) throws Exception {
    return new ArrayList<>(ourLeases(base, tag).keySet());
  }

  private static String health(String base) {
    try {
      return send("GET", base + "/health", null).body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static HttpResponse<String> send(String method, String url, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + TOKEN);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(
        request
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
