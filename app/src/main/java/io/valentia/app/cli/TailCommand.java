package io.valentia.app.cli;

import io.valentia.app.Valentia;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import io.valentia.eventbus.cli.ApiOptions;
import io.valentia.eventbus.cli.KafkaOptions;
import io.valentia.eventbus.config.Durations;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.kafka.TopicReader;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code valentia tail}: follows valentia.events. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Print events from valentia.events as they arrive, oldest first. Records that are not"
          + " valid events are reported on standard error.",
      "With --max, exit 0 once that many events were printed, or 1 if --timeout passes first."
    })
public final class TailCommand implements Callable<Integer> {
  @Mixin ApiOptions api; // accepted like every command's that talks to a platform
  @Mixin KafkaOptions kafkaOptions;

  @Option(
      names = "--type",
      paramLabel = "GLOB",
      description = "only types matching this glob, e.g. 'io.valentia.probe.*' (repeatable)")
  List<String> types = new ArrayList<>();

  @Option(names = "--from-beginning", description = "start at the oldest event, not at the end")
  boolean fromBeginning;

  @Option(names = "--json", description = "one CloudEvent JSON object per line")
  boolean json;

  @Option(names = "--max", paramLabel = "N", description = "stop after N events")
  Long max;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = Durations.Converter.class,
      description = "stop after this long, e.g. 30s, 500ms, 5m")
  Duration timeout;

  @Spec CommandSpec spec;

  /** How long Kafka may take to answer at all before tail says it is unreachable. */
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

  @Override
  public Integer call() {
    Pattern filter = globs(types);
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TopicReader reader = open();
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stopping.set(true);
              reader.wakeup();
              try {
                finished.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    long printed = 0;
    try {
      if (fromBeginning) {
        reader.seekToBeginning();
      }
      EventCodec codec = EventCodec.instance();
      while (!stopping.get() && System.nanoTime() < deadline && (max == null || printed < max)) {
        for (LogRecord record : reader.poll(Duration.ofMillis(200))) {
          CloudEvent event;
          try {
            event = codec.decode(record.value());
          } catch (InvalidEventException e) {
            err.printf(
                "%s-%d@%d: not a valid event: %s%n",
                record.topic(), record.partition(), record.offset(), e.getMessage());
            err.flush();
            continue;
          }
          if (!filter.matcher(event.type()).matches()) {
            continue;
          }
          out.println(json ? codec.encodeToString(event) : line(event));
          out.flush();
          if (max != null && ++printed >= max) {
            break;
          }
        }
      }
      if (stopping.get()) {
        return 0; // Ctrl-C
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw unreachable(e);
    } finally {
      reader.close();
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is already running
      }
    }
    return max != null && printed < max ? Valentia.PROBLEM : 0;
  }

  /** A reader of every partition of valentia.events, at its end. */
  private TopicReader open() {
    KafkaSettings settings = kafkaOptions.settings(io.valentia.eventbus.security.KafkaRole.WEB);
    if (!kafkaOptions.answers(KAFKA_TIMEOUT, io.valentia.eventbus.security.KafkaRole.WEB)) {
      throw new ValentiaException(
          "Kafka at "
              + kafkaOptions.described()
              + " did not answer within "
              + KAFKA_TIMEOUT.toSeconds()
              + " s; is Valentia up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP");
    }
    try {
      return TopicReader.open(settings, "tail", Topics.EVENTS);
    } catch (ValentiaException e) {
      throw new ValentiaException(
          "Kafka at "
              + kafkaOptions.described()
              + " has no readable topic "
              + Topics.EVENTS
              + " ("
              + e.getMessage()
              + "); is Valentia up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP",
          e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw unreachable(e);
    }
  }

  private ValentiaException unreachable(RuntimeException e) {
    return new ValentiaException(
        "cannot read valentia.events from Kafka at "
            + kafkaOptions.described()
            + ": "
            + e.getMessage()
            + " (is the platform up? Set --kafka or VALENTIA_KAFKA_BOOTSTRAP)",
        e);
  }

  /** {@code TIME SEVERITY TYPE SUBJECT DATA} */
  static String line(CloudEvent event) {
    String line =
        String.format(
            "%s %-8s %s %s %s",
            event.time() == null ? "-" : DateTimeFormatter.ISO_INSTANT.format(event.time()),
            event.severityOrInfo().value(),
            event.type(),
            event.subject() == null ? "-" : event.subject(),
            event.data() == null ? "" : event.data().toString());
    return line.stripTrailing();
  }

  /** One pattern matching any of the globs ({@code *} is any run of characters); all when none. */
  static Pattern globs(List<String> globs) {
    if (globs.isEmpty()) {
      return Pattern.compile(".*");
    }
    List<String> alternatives = new ArrayList<>();
    for (String glob : globs) {
      List<String> parts = new ArrayList<>();
      for (String part : glob.split("\\*", -1)) {
        parts.add(Pattern.quote(part));
      }
      alternatives.add(String.join(".*", parts));
    }
    return Pattern.compile(String.join("|", alternatives));
  }
}
