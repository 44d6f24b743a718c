package io.valentia.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The admin token: configured, or generated once with only its hash kept")
class AdminTokenTest {

  @Nested
  @DisplayName("Generated when none is configured")
  class Generated {

    @Test
    @DisplayName("The first start generates a vt_ token, reports it once and it matches.")
    void firstStartGeneratesAToken(@TempDir Path dir) {
      AdminToken token = AdminToken.loadOrCreate(dir, null);

      assertThat(token.generated()).isPresent();
      String value = token.generated().orElseThrow();
      assertThat(value).startsWith("vt_");
      assertThat(value.substring(3)).matches("[A-Za-z0-9_-]{43}");
      assertThat(token.matches(value)).isTrue();
      assertThat(token.matches(value + "x")).isFalse();
      assertThat(token.matches(null)).isFalse();
      assertThat(token.matches("")).isFalse();
    }

    @Test
    @DisplayName("Only the SHA-256 hash of the token is written: 64 hex digits, never the token.")
    void onlyTheHashIsWritten(@TempDir Path dir) throws Exception {
      String value = AdminToken.loadOrCreate(dir, null).generated().orElseThrow();

      Path file = dir.resolve(AdminToken.FILE);
      assertThat(file).isRegularFile();
      assertThat(file.getFileName()).hasToString("admin-token.sha256");
      String content = Files.readString(file, StandardCharsets.US_ASCII);
      assertThat(content).doesNotContain(value).doesNotContain(value.substring(3));
      assertThat(content.trim()).matches("[0-9a-f]{64}");
      byte[] expected =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      assertThat(content.trim()).isEqualTo(HexFormat.of().formatHex(expected));
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files).containsExactly(file);
      }
    }

    @Test
    @DisplayName("A second start on the same directory reports no token but matches the first one.")
    void secondStartKeepsTheToken(@TempDir Path dir) throws Exception {
      String first = AdminToken.loadOrCreate(dir, null).generated().orElseThrow();
      String hashFile = Files.readString(dir.resolve(AdminToken.FILE));

      AdminToken second = AdminToken.loadOrCreate(dir, null);

      assertThat(second.generated()).isEmpty();
      assertThat(second.matches(first)).isTrue();
      assertThat(second.matches("vt_something-else")).isFalse();
      assertThat(Files.readString(dir.resolve(AdminToken.FILE))).isEqualTo(hashFile);
    }

    @Test
    @DisplayName("Two state directories get two different tokens.")
    void tokensAreRandom(@TempDir Path a, @TempDir Path b) {
      String first = AdminToken.loadOrCreate(a, null).generated().orElseThrow();
      AdminToken other = AdminToken.loadOrCreate(b, null);

      assertThat(other.generated()).isPresent().get().isNotEqualTo(first);
      assertThat(other.matches(first)).isFalse();
    }

    @Test
    @DisplayName("A state directory that does not exist yet is created.")
    void missingDirectoryIsCreated(@TempDir Path dir) {
      Path state = dir.resolve("var").resolve("valentia");

      AdminToken token = AdminToken.loadOrCreate(state, null);

      assertThat(state.resolve(AdminToken.FILE)).isRegularFile();
      assertThat(token.matches(token.generated().orElseThrow())).isTrue();
    }

    @Test
    @DisplayName("A blank configured token counts as not configured: one is generated.")
    void blankConfiguredIsGenerated(@TempDir Path dir) {
      AdminToken token = AdminToken.loadOrCreate(dir, "   ");

      assertThat(token.generated()).isPresent();
      assertThat(token.matches("   ")).isFalse();
      assertThat(dir.resolve(AdminToken.FILE)).isRegularFile();
    }
  }

  @Nested
  @DisplayName("Configured through VALENTIA_ADMIN_TOKEN")
  class Configured {

    @Test
    @DisplayName("A configured token matches itself only, is not reported and writes nothing.")
    void configuredTokenMatchesOnlyItself(@TempDir Path dir) throws Exception {
      AdminToken token = AdminToken.loadOrCreate(dir, "s3cret");

      assertThat(token.generated()).isEmpty();
      assertThat(token.matches("s3cret")).isTrue();
      assertThat(token.matches("S3cret")).isFalse();
      assertThat(token.matches("s3cret ")).isFalse();
      assertThat(token.matches("s3cre")).isFalse();
      assertThat(token.matches("")).isFalse();
      assertThat(token.matches(null)).isFalse();
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files).isEmpty();
      }
    }

    @Test
    @DisplayName("A configured token wins over a hash kept from an earlier start.")
    void configuredWinsOverKeptHash(@TempDir Path dir) {
      String generated = AdminToken.loadOrCreate(dir, null).generated().orElseThrow();

      AdminToken token = AdminToken.loadOrCreate(dir, "s3cret");

      assertThat(token.matches("s3cret")).isTrue();
      assertThat(token.matches(generated)).isFalse();
    }

    @Test
    @DisplayName("A configured token does not create a missing state directory.")
    void configuredDoesNotTouchTheDisk(@TempDir Path dir) {
      Path state = dir.resolve("absent");

      AdminToken.loadOrCreate(state, "s3cret");

      assertThat(state).doesNotExist();
    }
  }
}
