package io.valentia.probes.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A followed file")
class FollowedFileTest {
  private static final Duration POLL = Duration.ofMillis(20);

  @TempDir Path dir;

  private FollowedFile file;
  private Thread reader;
  private final ByteArrayOutputStream read = new ByteArrayOutputStream();
  private volatile IOException failure;

  @AfterEach
  void stop() throws Exception {
    if (file != null) {
      file.close();
    }
    if (reader != null) {
      reader.join(5_000);
      assertThat(reader.isAlive()).as("the reader ends once the file is closed").isFalse();
    }
  }

  @Test
  @DisplayName("Read once, it reads the whole file and ends at its end.")
  void readOnce() throws Exception {
    Path log = Files.writeString(dir.resolve("a.log"), "one\ntwo");
    file = new FollowedFile(log, false, FollowedFile.Start.AT_START, POLL);

    assertThat(new String(file.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("one\ntwo");
    assertThat(file.position()).isEqualTo(7);
    assertThat(file.identity()).isNotBlank();
  }

  @Test
  @DisplayName("Read once, a file that is not there is an error naming it.")
  void readOnceMissing() {
    file = new FollowedFile(dir.resolve("none.log"), false, FollowedFile.Start.AT_START, POLL);

    assertThatThrownBy(() -> file.read()).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  @DisplayName(
      "Started after an earlier reader's identity and position, it reads only what came after;"
          + " another file at the path is read from its start.")
  void resumes() throws Exception {
    Path log = Files.writeString(dir.resolve("a.log"), "one\n");
    FollowedFile first = new FollowedFile(log, false, FollowedFile.Start.AT_START, POLL);
    first.readAllBytes();
    String identity = first.identity();
    long position = first.position();
    first.close();
    Files.writeString(log, "two\n", StandardOpenOption.APPEND);

    FollowedFile again =
        new FollowedFile(log, false, FollowedFile.Start.after(identity, position), POLL);
    assertThat(new String(again.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("two\n");
    again.close();

    FollowedFile other =
        new FollowedFile(log, false, FollowedFile.Start.after("another-file", position), POLL);
    assertThat(new String(other.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");
    other.close();
  }

  @Test
  @DisplayName("Followed from its end, it reads only what is appended.")
  void fromEnd() throws Exception {
    Path log = Files.writeString(dir.resolve("a.log"), "old\n");
    follow(FollowedFile.follow(log, false));
    await().until(() -> file.opens() == 1);

    Files.writeString(log, "new\n", StandardOpenOption.APPEND);

    await().until(() -> text().equals("new\n"));
  }

  @Test
  @DisplayName("Followed, it waits for a file that is not there yet and says so meanwhile.")
  void waitsForTheFile() throws Exception {
    Path log = dir.resolve("later.log");
    follow(new FollowedFile(log, true, FollowedFile.Start.AT_START, POLL));
    await().until(() -> "no such file".equals(file.problem()));

    Files.writeString(log, "here\n");

    await().until(() -> text().equals("here\n"));
    assertThat(file.problem()).isNull();
  }

  @Test
  @DisplayName("Followed through rotation, it reads the old file to its end, then the new one.")
  void rotation() throws Exception {
    Path log = Files.writeString(dir.resolve("a.log"), "a\n");
    follow(new FollowedFile(log, true, FollowedFile.Start.AT_START, POLL));
    await().until(() -> text().equals("a\n"));

    Files.writeString(log, "b\n", StandardOpenOption.APPEND);
    Files.move(log, dir.resolve("a.log.1"));
    Files.writeString(log, "c\n");

    await().until(() -> text().equals("a\nb\nc\n"));
    assertThat(file.opens()).isEqualTo(2);
  }

  @Test
  @DisplayName("A file removed and not yet replaced is reported, and the old one is still read.")
  void removed() throws Exception {
    Path log = Files.writeString(dir.resolve("a.log"), "a\n");
    follow(new FollowedFile(log, true, FollowedFile.Start.AT_START, POLL));
    await().until(() -> text().equals("a\n"));

    Files.move(log, dir.resolve("a.log.1"));

    await().until(() -> file.problem() != null && file.problem().startsWith("removed"));
    Files.writeString(dir.resolve("a.log.1"), "b\n", StandardOpenOption.APPEND);
    await().until(() -> text().equals("a\nb\n"));
  }

  @Test
  @DisplayName("A file truncated below the position is read again from its start.")
  void truncation() throws Exception {
    Path log = Files.writeString(dir.resolve("a.log"), "first line\nsecond line\n");
    follow(new FollowedFile(log, true, FollowedFile.Start.AT_START, POLL));
    await().until(() -> text().equals("first line\nsecond line\n"));

    Files.writeString(log, "x\n", StandardOpenOption.TRUNCATE_EXISTING);

    await().until(() -> text().equals("first line\nsecond line\nx\n"));
  }

  @Test
  @DisplayName(
      "A named pipe is read from each writer in turn, reported gone when removed, and closing"
          + " ends a reader blocked waiting for a writer.")
  void namedPipe() throws Exception {
    Path pipe = dir.resolve("frames.pipe");
    mkfifo(pipe);
    follow(FollowedFile.follow(pipe, false));

    try (OutputStream writer = new FileOutputStream(pipe.toFile())) {
      writer.write("one\n".getBytes(StandardCharsets.UTF_8));
    }
    await().until(() -> text().equals("one\n"));
    try (OutputStream writer = new FileOutputStream(pipe.toFile())) {
      writer.write("two\n".getBytes(StandardCharsets.UTF_8));
      writer.flush();
      await().until(() -> text().equals("one\ntwo\n"));
      Files.delete(pipe);
    }

    await().until(() -> "the named pipe is gone".equals(file.problem()));
    mkfifo(pipe);
    try (OutputStream writer = new FileOutputStream(pipe.toFile())) {
      writer.write("three\n".getBytes(StandardCharsets.UTF_8));
    }
    await().until(() -> text().equals("one\ntwo\nthree\n"));
    assertThat(file.opens()).isEqualTo(3);
    // the reader now waits for the next writer: closing it (after each test) must end it
  }

  private void follow(FollowedFile followed) {
    file = followed;
    reader =
        new Thread(
            () -> {
              byte[] buffer = new byte[256];
              int n;
              try {
                while ((n = file.read(buffer, 0, buffer.length)) >= 0) {
                  synchronized (read) {
                    read.write(buffer, 0, n);
                  }
                }
              } catch (IOException e) {
                failure = e;
              }
            },
            "follower-test");
    reader.setDaemon(true);
    reader.start();
  }

  private String text() {
    assertThat(failure).as("a read failed").isNull();
    synchronized (read) {
      return read.toString(StandardCharsets.UTF_8);
    }
  }

  private static void mkfifo(Path path) throws Exception {
    Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
  }
}
