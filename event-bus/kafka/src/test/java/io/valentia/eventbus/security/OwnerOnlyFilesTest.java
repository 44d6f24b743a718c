package io.valentia.eventbus.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Secrets on disk, owner-only")
class OwnerOnlyFilesTest {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "The first writer wins: a second create leaves the secret as it was, and it is 0600 in a"
          + " 0700 directory")
  void firstWriterWins() throws Exception {
    Path file = dir.resolve("secrets").resolve("key");

    assertThat(OwnerOnlyFiles.createIfAbsent(file, bytes("first"))).isTrue();
    assertThat(OwnerOnlyFiles.createIfAbsent(file, bytes("second"))).isFalse();

    assertThat(Files.readString(file)).isEqualTo("first");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(OwnerOnlyFiles.tooOpen(file)).isFalse();
    try (var left = Files.list(file.getParent())) {
      assertThat(left).containsExactly(file);
    }
  }

  @Test
  @DisplayName("A secret that group or others may read is too open")
  void readableByOthersIsTooOpen() throws Exception {
    Path file = Files.writeString(dir.resolve("leaked"), "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(OwnerOnlyFiles.tooOpen(file)).isTrue();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
