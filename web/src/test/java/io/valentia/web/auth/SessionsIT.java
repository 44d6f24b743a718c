package io.valentia.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.kafka.StateTables;
import io.valentia.eventbus.kafka.TopicProvisioner;
import io.valentia.eventbus.testing.KafkaTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Browser sessions kept in the sessions state topic")
class SessionsIT {
  /** A token id of this test's own, so the sessions other tests left do not count. */
  private final Principal alice =
      new Principal("alice", "responder", "token-" + java.util.UUID.randomUUID());

  private final List<StateTables> processes = new ArrayList<>();
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void topics() {
    new TopicProvisioner(KafkaTestSupport.settings()).ensureTopics(Duration.ofSeconds(60));
  }

  @AfterEach
  void stop() {
    processes.forEach(StateTables::close);
  }

  @Test
  @DisplayName(
      "A session outlives a restart (its table read again from Kafka), with its CSRF token.")
  void survivesRestart() {
    Sessions.Session session = sessions(Clock.systemUTC()).create(alice);

    Sessions.Session found = sessions(Clock.systemUTC()).find(session.id()).orElseThrow();

    assertThat(found.principal()).isEqualTo(alice);
    assertThat(found.csrfMatches(session.csrfToken())).isTrue();
    assertThat(found.csrfMatches("forged")).isFalse();
  }

  @Test
  @DisplayName("Kafka holds only a hash of the session id, never the id or the CSRF token.")
  void onlyTheHashIsStored() {
    Sessions.Session session = sessions(Clock.systemUTC()).create(alice);

    List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.readAll(Topics.STATE_SESSIONS);
    assertThat(records)
        .anySatisfy(r -> assertThat(key(r)).isEqualTo(Sessions.hash(session.id())))
        .allSatisfy(
            r -> {
              assertThat(key(r)).doesNotContain(session.id());
              if (r.value() != null) {
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .doesNotContain(session.id())
                    .doesNotContain(session.csrfToken());
              }
            });
  }

  @Test
  @DisplayName("A logout is a tombstone on Kafka, so a restart does not bring the session back.")
  void logoutIsDurable() {
    Sessions sessions = sessions(Clock.systemUTC());
    Sessions.Session session = sessions.create(alice);

    assertThat(sessions.end(session.id())).isTrue();

    assertThat(sessions.find(session.id())).isEmpty();
    assertThat(sessions(Clock.systemUTC()).find(session.id())).isEmpty();
    assertThat(KafkaTestSupport.readAll(Topics.STATE_SESSIONS))
        .anySatisfy(
            r -> {
              assertThat(key(r)).isEqualTo(Sessions.hash(session.id()));
              assertThat(r.value()).isNull();
            });
  }

  @Test
  @DisplayName(
      "Use moves the expiry on, written back at most once a minute: a use 30 s after the last"
          + " write writes nothing, one 2 minutes after it does, and a restart keeps it.")
  void renewalIsThrottled() throws Exception {
    MutableClock clock =
        new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    Sessions sessions = sessions(clock, Duration.ofHours(1));
    Sessions.Session session = sessions.create(alice);
    String key = Sessions.hash(session.id());

    clock.now = clock.now.plusSeconds(30);
    assertThat(sessions.find(session.id()).orElseThrow().expires())
        .isEqualTo(clock.now.plus(Duration.ofHours(1)));
    clock.now = clock.now.plus(Duration.ofMinutes(2));
    Instant expected = clock.now.plus(Duration.ofHours(1));
    sessions.find(session.id()).orElseThrow();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> stored(key).size() == 2 && expected.equals(stored(key).get(1)));
    assertThat(stored(key)).containsExactly(session.expires(), expected);
    clock.now = clock.now.plus(Duration.ofMinutes(50));
    assertThat(sessions(clock, Duration.ofHours(1)).find(session.id())).isPresent();
    clock.now = clock.now.plus(Duration.ofHours(2));
    assertThat(sessions(clock, Duration.ofHours(1)).find(session.id())).isEmpty();
  }

  @Test
  @DisplayName(
      "Revoking the token ends its sessions: not found at once, and tombstoned on Kafka by"
          + " endMadeWith; sessions of other tokens stay.")
  void revocationEndsSessions() {
    Sessions sessions = sessions(Clock.systemUTC());
    Sessions.Session first = sessions.create(alice);
    Sessions.Session second = sessions.create(alice);
    Principal bob = new Principal("bob", "viewer", "token-" + java.util.UUID.randomUUID());
    Sessions.Session other = sessions.create(bob);

    revoked.add(alice.tokenId());

    assertThat(sessions.find(first.id())).isEmpty();
    assertThat(sessions.endMadeWith(alice.tokenId())).isEqualTo(2);
    Sessions restarted = sessions(Clock.systemUTC());
    revoked.clear();
    assertThat(restarted.find(first.id())).isEmpty();
    assertThat(restarted.find(second.id())).isEmpty();
    assertThat(restarted.find(other.id())).isPresent();
  }

  @Test
  @DisplayName(
      "A session ends at its lifetime even when it is used all along, on this process and on one"
          + " started afterwards.")
  void lifetimeEndsABusySession() {
    MutableClock clock =
        new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    Sessions sessions = sessions(clock, Duration.ofHours(1), Duration.ofHours(3));
    Principal alice =
        new Principal(
            "alice-" + java.util.UUID.randomUUID(),
            "responder",
            "token-" + java.util.UUID.randomUUID());
    Sessions.Session session = sessions.create(alice);

    for (int i = 0; i < 3; i++) {
      clock.now = clock.now.plus(Duration.ofMinutes(50));
      Instant expires = sessions.find(session.id()).orElseThrow().expires();
      // the moved-on expiry is written in the background: the next use reads it from the table
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sessions.list(alice.name()).get(0).expires().equals(expires));
    }
    clock.now = clock.now.plus(Duration.ofMinutes(29));
    assertThat(sessions.find(session.id()).orElseThrow().expires())
        .as("the expiry stops at the end of the lifetime")
        .isEqualTo(clock.now.minus(Duration.ofMinutes(179)).plus(Duration.ofHours(3)));
    clock.now = clock.now.plus(Duration.ofMinutes(2));

    assertThat(sessions.find(session.id())).isEmpty();
    assertThat(sessions(clock, Duration.ofHours(1), Duration.ofHours(3)).find(session.id()))
        .isEmpty();
    assertThat(sessions.list(alice.name())).isEmpty();
  }

  @Test
  @DisplayName(
      "An admin's list shows each live session's principal, creation, address and user agent but"
          + " never its id or CSRF token; ending one by its key, or all of a principal's, is a"
          + " tombstone that another process sees.")
  void listAndEnd() {
    Sessions sessions = sessions(Clock.systemUTC());
    Principal alice =
        new Principal(
            "alice-" + java.util.UUID.randomUUID(),
            "responder",
            "token-" + java.util.UUID.randomUUID());
    Sessions.Session first = sessions.create(alice, "203.0.113.7", "Firefox/140.0");
    Sessions.Session second = sessions.create(alice, "203.0.113.8", null);
    Principal carol = new Principal("carol-" + java.util.UUID.randomUUID(), "viewer", "t-carol");
    Sessions.Session other = sessions.create(carol, "198.51.100.1", "curl/8");

    List<Sessions.Listed> listed = sessions.list(alice.name());

    assertThat(listed)
        .extracting(Sessions.Listed::address)
        .containsExactly("203.0.113.7", "203.0.113.8");
    assertThat(listed.get(0).userAgent()).isEqualTo("Firefox/140.0");
    assertThat(listed.get(0).created()).isNotNull();
    assertThat(listed.get(0).role()).isEqualTo("responder");
    assertThat(listed.toString())
        .doesNotContain(first.id())
        .doesNotContain(first.csrfToken())
        .doesNotContain(second.id());
    Sessions elsewhere = sessions(Clock.systemUTC());
    assertThat(elsewhere.find(first.id())).isPresent();

    assertThat(sessions.endByKey(listed.get(0).key())).isTrue();
    assertThat(sessions.endByKey(listed.get(0).key())).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> elsewhere.find(first.id()).isEmpty());
    assertThat(elsewhere.find(second.id())).isPresent();

    assertThat(sessions.endOf(alice.name())).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> elsewhere.find(second.id()).isEmpty());
    assertThat(elsewhere.find(other.id())).isPresent();
    assertThat(sessions.list(null)).extracting(Sessions.Listed::name).contains(carol.name());
  }

  @Test
  @DisplayName("Unknown, empty and missing session ids find nothing.")
  void unknownIds() {
    Sessions sessions = sessions(Clock.systemUTC());
    sessions.create(alice);

    assertThat(sessions.find("nope")).isEmpty();
    assertThat(sessions.find("")).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
    assertThat(sessions.end("nope")).isFalse();
  }

  // ---------------------------------------------------------------------------------------------

  /** The sessions as a freshly started process reads them. */
  private Sessions sessions(Clock clock) {
    return sessions(clock, Duration.ofHours(12));
  }

  private Sessions sessions(Clock clock, Duration idle) {
    return sessions(clock, idle, Duration.ofHours(12));
  }

  private Sessions sessions(Clock clock, Duration idle, Duration lifetime) {
    StateTables tables = new StateTables(KafkaTestSupport.settings());
    processes.add(tables);
    StateTable<Sessions.StoredSession> table =
        tables.open(Topics.STATE_SESSIONS, Sessions.StoredSession.class);
    StateMigration.await(table.restored(), "restore");
    return Sessions.open(table, id -> !revoked.contains(id), idle, lifetime, clock);
  }

  /** The expiries written for {@code key}, in log order. */
  private static List<Instant> stored(String key) throws Exception {
    List<Instant> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readAll(Topics.STATE_SESSIONS)) {
      if (key.equals(key(r)) && r.value() != null) {
        out.add(
            io.valentia.eventbus.EventCodec.MAPPER
                .readValue(r.value(), Sessions.StoredSession.class)
                .expires());
      }
    }
    return out;
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
