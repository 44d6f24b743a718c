package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.kafka.TopicReader;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Valentia's event-query probes: they read {@code valentia.events} over a time window and count
 * matching events. {@code event-count} returns how many matched; {@code event-rate} returns matches
 * per second. Arguments: {@code type} (glob, e.g. {@code io.valentia.probe.frame.*}), optional
 * {@code subject} and {@code source} globs, {@code window} (default 30s), and {@code where}: a
 * mapping of data fields (dotted paths) to the values they must have; and {@code sum}, a numeric
 * data field (dotted path) to add up instead of counting events (e.g. {@code frames} of {@code
 * probe.frame.dropped}: dropped frames rather than bursts). Thread-safe.
 */
public final class EventProbes {
  /** The probe names. */
  public static final List<String> NAMES = List.of("event-count", "event-rate");

  private static final Set<String> KNOWN =
      Set.of("type", "subject", "source", "window", "where", "sum");

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

  private final KafkaSettings kafka;
  private final Clock clock;

  /**
   * @param kafka where valentia.events is; null when no Kafka is reachable (probes then fail)
   */
  public EventProbes(KafkaSettings kafka, Clock clock) {
    this.kafka = kafka;
    this.clock = clock;
  }

  /** Problems of a probe's arguments. */
  public static List<String> check(String name, Arguments arguments) {
    arguments.onlyKnown(KNOWN);
    arguments.string("type");
    arguments.optionalString("subject", null);
    arguments.optionalString("source", null);
    arguments.optionalDuration("window", Duration.ofSeconds(30));
    arguments.optionalString("sum", null);
    JsonNode where = arguments.raw().path("where");
    if (!where.isMissingNode() && !where.isObject()) {
      arguments.problem("where: must be a mapping of data fields to values");
    }
    return arguments.problems();
  }

  /**
   * Runs a probe.
   *
   * @throws ActivityFailedException when the arguments are wrong or Kafka cannot be read
   */
  public JsonNode run(String name, JsonNode rawArguments) {
    Arguments arguments = Arguments.of(rawArguments);
    check(name, arguments);
    if (!arguments.problems().isEmpty()) {
      throw new ActivityFailedException(String.join("; ", arguments.problems()));
    }
    if (kafka == null) {
      throw new ActivityFailedException("no Kafka to read valentia.events from (set --kafka)");
    }
    Duration window = arguments.optionalDuration("window", Duration.ofSeconds(30));
    PathMatcher type = glob(arguments.string("type"));
    String subject = arguments.optionalString("subject", null);
    String source = arguments.optionalString("source", null);
    JsonNode where = arguments.raw().path("where");
    Instant to = clock.instant();
    Instant from = to.minus(window);
    String sum = arguments.optionalString("sum", null);
    double count = 0;
    for (CloudEvent event : read(from)) {
      if (event.time() != null && (event.time().isBefore(from) || event.time().isAfter(to))) {
        continue;
      }
      if (!type.matches(Path.of(event.type()))) {
        continue;
      }
      if (subject != null
          && (event.subject() == null || !glob(subject).matches(Path.of(safe(event.subject()))))) {
        continue;
      }
      if (source != null && !glob(source).matches(Path.of(safe(event.source())))) {
        continue;
      }
      if (!matches(event.data(), where)) {
        continue;
      }
      count += sum == null ? 1 : field(event.data(), sum);
    }
    return name.equals("event-rate")
        ? DoubleNode.valueOf(count / Math.max(0.001, window.toMillis() / 1000.0))
        : sum == null ? LongNode.valueOf((long) count) : DoubleNode.valueOf(count);
  }

  private static boolean matches(JsonNode data, JsonNode where) {
    if (!where.isObject()) {
      return true;
    }
    var it = where.fields();
    while (it.hasNext()) {
      var e = it.next();
      JsonNode value = data == null ? null : data;
      for (String part : e.getKey().split("\\.")) {
        value = value == null ? null : value.get(part);
      }
      if (value == null
          || !(value.equals(e.getValue()) || value.asText().equals(e.getValue().asText()))) {
        return false;
      }
    }
    return true;
  }

  private static double field(JsonNode data, String path) {
    JsonNode value = data;
    for (String part : path.split("\\.")) {
      value = value == null ? null : value.get(part);
    }
    return value != null && value.isNumber() ? value.asDouble() : 0;
  }

  private static String safe(String text) {
    return text.replace('/', '_');
  }

  private static PathMatcher glob(String pattern) {
    return FileSystems.getDefault().getPathMatcher("glob:" + safe(pattern));
  }

  private List<CloudEvent> read(Instant from) {
    List<CloudEvent> events = new ArrayList<>();
    try (TopicReader reader = TopicReader.open(kafka, "chaos-event-probe", Topics.EVENTS)) {
      reader.seekToTime(from);
      reader.readToEnd(
          r -> r.value() != null,
          r -> {
            try {
              events.add(EventCodec.instance().decode(r.value()));
            } catch (InvalidEventException e) {
              // not an event: the dead-letter gate reports it
            }
          },
          null,
          READ_TIMEOUT);
    } catch (RuntimeException e) {
      throw new ActivityFailedException("cannot read valentia.events: " + e.getMessage());
    }
    return events;
  }
}
