package io.valentia.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.valentia.eventbus.ValentiaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Browser sessions kept in the web data directory")
class SessionsTest {
  private static final Principal ALICE = new Principal("alice", "responder");

  @TempDir Path dir;

  @Test
  @DisplayName("A session outlives a restart, with its principal and CSRF token.")
  void survivesRestart() {
    Sessions.Session session = Sessions.open(dir).create(ALICE);

    Sessions.Session found = Sessions.open(dir).find(session.id()).orElseThrow();

    assertThat(found.principal()).isEqualTo(ALICE);
    assertThat(found.csrfMatches(session.csrfToken())).isTrue();
  }

  @Test
  @DisplayName("The file holds only a hash of the session id, readable by its owner alone.")
  void onlyTheHashIsStored() throws Exception {
    Sessions.Session session = Sessions.open(dir).create(ALICE);

    Path file = dir.resolve(Sessions.FILE);
    assertThat(Files.readString(file)).doesNotContain(session.id()).contains("alice");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  @DisplayName("A logout is written at once, so a restart does not bring the session back.")
  void logoutIsDurable() {
    Sessions sessions = Sessions.open(dir);
    Sessions.Session session = sessions.create(ALICE);

    assertThat(sessions.end(session.id())).isTrue();

    assertThat(Sessions.open(dir).find(session.id())).isEmpty();
  }

  @Test
  @DisplayName("Use moves the expiry on, and a flush keeps the new expiry across a restart.")
  void renewalIsFlushed() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-29T08:00:00Z"));
    Sessions sessions = Sessions.open(dir, Duration.ofHours(1), clock);
    Sessions.Session session = sessions.create(ALICE);

    clock.now = clock.now.plus(Duration.ofMinutes(50));
    sessions.find(session.id()).orElseThrow();
    sessions.flush();
    clock.now = clock.now.plus(Duration.ofMinutes(50));

    assertThat(Sessions.open(dir, Duration.ofHours(1), clock).find(session.id())).isPresent();
    clock.now = clock.now.plus(Duration.ofHours(2));
    assertThat(Sessions.open(dir, Duration.ofHours(1), clock).find(session.id())).isEmpty();
  }

  @Test
  @DisplayName("A file that is not a session store is reported with its path, not ignored.")
  void corruptFileIsReported() throws Exception {
    Files.writeString(dir.resolve(Sessions.FILE), "{not json");

    assertThatThrownBy(() -> Sessions.open(dir))
        .isInstanceOf(ValentiaException.class)
        .hasMessageContaining(Sessions.FILE)
        .hasMessageContaining("fix or remove it");
  }

  @Test
  @DisplayName("Unknown, empty and missing session ids find nothing.")
  void unknownIds() {
    Sessions sessions = Sessions.open(dir);
    sessions.create(ALICE);

    assertThat(sessions.find("nope")).isEmpty();
    assertThat(sessions.find("")).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
    assertThat(sessions.end("nope")).isFalse();
  }

  private static final class MutableClock extends Clock {
    Instant now;

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
