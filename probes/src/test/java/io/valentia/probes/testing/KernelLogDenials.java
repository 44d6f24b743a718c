package io.valentia.probes.testing;

import static org.awaitility.Awaitility.await;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.eventbus.testing.KafkaTestSupport;
import io.valentia.probes.denials.AuditLineParser;
import io.valentia.probes.denials.DenialReader;
import io.valentia.probes.denials.DenialWatcher;
import io.valentia.probes.denials.KernelLog;
import io.valentia.probes.denials.ProcessAttribution;
import io.valentia.probes.denials.SourcePositions;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The denial watcher on the kernel log, for tests that cause a real denial: it reads {@code
 * /dev/kmsg} on its own thread from now on (so needs root) and publishes every denial, unfolded, to
 * the tests' Kafka; {@link #awaitDenial} finds one by the executable that was denied. Shared with
 * other modules through the probes test-jar.
 */
public final class KernelLogDenials implements AutoCloseable {
  private final Vertx vertx;
  private final KafkaEventPublisher publisher;
  private final DenialReader reader;
  private final Thread readerThread;

  private KernelLogDenials(String name) {
    vertx = Vertx.vertx();
    publisher = new KafkaEventPublisher(vertx, KafkaTestSupport.settings(), name);
    DenialWatcher watcher =
        new DenialWatcher(
            new AuditLineParser(),
            Duration.ZERO,
            new ProcessAttribution(Path.of("/proc")),
            Clock.systemUTC(),
            "it-host",
            event -> publisher.publish(event));
    reader =
        new DenialReader(
            watcher,
            List.of(new KernelLog(Path.of("/dev/kmsg"), true, null, Duration.ZERO)),
            SourcePositions.inMemory());
    readerThread =
        new Thread(
            () -> {
              try {
                reader.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name + "-reader");
    readerThread.start();
  }

  /** Starts watching; {@code name} names the publisher's client and the reading thread. */
  public static KernelLogDenials start(String name) {
    return new KernelLogDenials(name);
  }

  /**
   * The published denial of {@code exe} (the subject of a denial ends with the executable's path),
   * waiting up to a minute for it.
   */
  public SyscallDenied awaitDenial(Path exe) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> find(exe), Optional::isPresent)
        .orElseThrow();
  }

  private static Optional<SyscallDenied> find(Path exe) {
    for (ConsumerRecord<byte[], byte[]> record : KafkaTestSupport.readAll(Topics.EVENTS)) {
      CloudEvent event;
      try {
        event = EventCodec.instance().decode(record.value());
      } catch (RuntimeException notAnEvent) {
        continue;
      }
      if (event.subject() != null
          && event.subject().endsWith(exe.toString())
          && event.type().equals("io.valentia.probe.syscall.denied.v1")) {
        return Optional.of(EventCodec.instance().payload(event, SyscallDenied.class));
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() throws Exception {
    reader.close();
    readerThread.join(5000);
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }
}
