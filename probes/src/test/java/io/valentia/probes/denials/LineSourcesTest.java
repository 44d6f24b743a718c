package io.valentia.probes.denials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Sources keep their place")
class LineSourcesTest {
  @TempDir Path dir;

  private static List<String> texts(LinkedBlockingQueue<LineSource.Line> queue) {
    return queue.stream().map(LineSource.Line::text).toList();
  }

  @Test
  @DisplayName("A followed file resumes after a restart from the saved position, not the start.")
  void resumesAfterRestart() throws Exception {
    Path log = Files.writeString(dir.resolve("audit.log"), "one\ntwo\n");
    SourcePositions positions = SourcePositions.load(dir.resolve("positions.json"));
    LinkedBlockingQueue<LineSource.Line> queue = new LinkedBlockingQueue<>();
    AuditFile first = new AuditFile(log, false, false, null, Duration.ofMillis(20));
    first.start(queue);
    await().until(first::exhausted);
    assertThat(texts(queue)).containsExactly("one", "two");
    queue.forEach(l -> positions.put(first.id(), l.position()));
    positions.save();

    Files.writeString(log, "three\n", StandardOpenOption.APPEND);
    SourcePositions reloaded = SourcePositions.load(dir.resolve("positions.json"));
    LinkedBlockingQueue<LineSource.Line> again = new LinkedBlockingQueue<>();
    AuditFile second =
        new AuditFile(log, false, false, reloaded.get(first.id()), Duration.ofMillis(20));
    second.start(again);
    await().until(second::exhausted);
    assertThat(texts(again)).containsExactly("three");
  }

  @Test
  @DisplayName("Following through rotation reads the old file to its end, then the new one.")
  void rotation() throws Exception {
    Path log = Files.writeString(dir.resolve("audit.log"), "a\n");
    LinkedBlockingQueue<LineSource.Line> queue = new LinkedBlockingQueue<>();
    try (AuditFile file = new AuditFile(log, true, false, null, Duration.ofMillis(20))) {
      file.start(queue);
      await().until(() -> texts(queue).contains("a"));
      Files.writeString(log, "b\n", StandardOpenOption.APPEND);
      Files.move(log, dir.resolve("audit.log.1"));
      Files.writeString(log, "c\n");
      await().until(() -> texts(queue).size() == 3);
      assertThat(texts(queue)).containsExactly("a", "b", "c");
    }
  }

  @Test
  @DisplayName("A truncated file is read again from its start.")
  void truncation() throws Exception {
    Path log = Files.writeString(dir.resolve("audit.log"), "first line\nsecond line\n");
    LinkedBlockingQueue<LineSource.Line> queue = new LinkedBlockingQueue<>();
    try (AuditFile file = new AuditFile(log, true, false, null, Duration.ofMillis(20))) {
      file.start(queue);
      await().until(() -> texts(queue).size() == 2);
      Files.writeString(log, "x\n", StandardOpenOption.TRUNCATE_EXISTING);
      await().until(() -> texts(queue).size() == 3);
      assertThat(texts(queue)).last().isEqualTo("x");
    }
  }

  @Test
  @DisplayName("The kernel log resumes after the last sequence number read in the same boot.")
  void kernelLogResumes() throws Exception {
    Path kmsg =
        Files.writeString(
            dir.resolve("kmsg"),
            "6,10,100,-;first\n SUBSYSTEM=x\n6,11,200,-;second\n6,12,300,-;third\n");
    LinkedBlockingQueue<LineSource.Line> queue = new LinkedBlockingQueue<>();
    KernelLog log =
        new KernelLog(
            kmsg,
            false,
            new SourcePositions.Position(KernelLog.bootId(), 10),
            Duration.ofMillis(100));
    log.start(queue);
    await().until(log::exhausted);
    assertThat(texts(queue)).containsExactly("second", "third");
    assertThat(queue.stream().map(l -> l.position().offset())).containsExactly(11L, 12L);

    LinkedBlockingQueue<LineSource.Line> otherBoot = new LinkedBlockingQueue<>();
    KernelLog afterReboot =
        new KernelLog(
            kmsg, false, new SourcePositions.Position("another-boot", 12), Duration.ofMillis(100));
    afterReboot.start(otherBoot);
    await().until(afterReboot::exhausted);
    assertThat(texts(otherBoot)).containsExactly("first", "second", "third");
  }

  @Test
  @DisplayName("A damaged positions file is set aside and every source starts afresh.")
  void damagedPositions() throws Exception {
    Path file = Files.writeString(dir.resolve("positions.json"), "{not json");
    SourcePositions positions = SourcePositions.load(file);
    assertThat(positions.get("file:/x")).isNull();
    assertThat(dir.resolve("positions.json.bad")).exists();
  }
}
