package io.valentia.probes.denials;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Severity;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.SyscallDenied;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The denial pipeline: lines in, {@code probe.syscall.denied} and {@code probe.lsm.denied} events
 * out. Parses each line, groups records into denials, attributes each denial to its process's
 * container while the process may still be alive, folds bursts, and hands events to the sink: a
 * burst's first denial as soon as its record is read, the rest of the burst (count, first and last
 * time) when it ends, as an event whose {@code burstof} attribute is the first one's id and whose
 * {@code burstcount} attribute is the whole burst's count (see {@link BurstDeduplicator}). Counts
 * what it read in {@link #stats()}. Nothing in a line can make it throw (a throwing sink does). Not
 * thread-safe: one reader thread owns it.
 */
public final class DenialWatcher {
  /**
   * The CloudEvents extension attribute of the event that ends a burst: the id of the burst's first
   * event, published when it happened.
   */
  public static final String BURST_OF = "burstof";

  /** The extension attribute of the event that ends a burst: how many denials the burst had. */
  public static final String BURST_COUNT = "burstcount";

  private final AuditLineParser parser;
  private final DenialAssembler assembler;
  private final BurstDeduplicator bursts;
  private final ProcessAttribution attribution;
  private final Clock clock;
  private final String host;
  private final Consumer<CloudEvent> sink;
  private final DenialStats stats = new DenialStats();

  /**
   * @param parser reads lines
   * @param window the burst window (zero: every denial is its own event)
   * @param attribution finds containers; null to skip attribution
   * @param clock arrival time of lines
   * @param host the machine the lines come from (the events' source and subject)
   * @param sink receives every event, on the calling thread
   */
  public DenialWatcher(
      AuditLineParser parser,
      Duration window,
      ProcessAttribution attribution,
      Clock clock,
      String host,
      Consumer<CloudEvent> sink) {
    this.parser = parser;
    this.assembler = new DenialAssembler(Duration.ofSeconds(2));
    this.bursts = new BurstDeduplicator(window);
    this.attribution = attribution;
    this.clock = clock;
    this.host = host;
    this.sink = sink;
  }

  /** What it has read so far; a live view, readable from any thread. */
  public DenialStats stats() {
    return stats;
  }

  /** Reads one line. */
  public void accept(String line) {
    stats.lines.increment();
    AuditLine parsed = parser.parse(line);
    if (parsed instanceof AuditLine.Record r) {
      stats.records.increment();
      if (r.record().interpreted()) {
        stats.interpreted.increment();
      }
      long before = assembler.unreadable();
      long copies = assembler.duplicates();
      denials(assembler.add(r.record(), clock.instant()));
      stats.unknown.add(assembler.unreadable() - before);
      stats.duplicates.add(assembler.duplicates() - copies);
    } else if (parsed instanceof AuditLine.Suppressed s) {
      stats.suppressed.add(s.count());
    } else if (parsed instanceof AuditLine.Unreadable) {
      stats.unknown.increment();
    } else {
      stats.other.increment();
    }
  }

  /** Releases what has waited long enough; call it when the input is idle. */
  public void tick() {
    long before = assembler.unreadable();
    denials(assembler.expire(clock.instant()));
    stats.unknown.add(assembler.unreadable() - before);
    bursts.expire(clock.instant()).forEach(this::emit);
  }

  /** Releases everything waiting (the end of the input). */
  public void drain() {
    long before = assembler.unreadable();
    denials(assembler.drain());
    stats.unknown.add(assembler.unreadable() - before);
    bursts.drain().forEach(this::emit);
  }

  private void denials(List<EventPayload> denials) {
    for (EventPayload denial : denials) {
      stats.denials.increment();
      bursts.add(attributed(denial), clock.instant()).forEach(this::emit);
    }
  }

  private EventPayload attributed(EventPayload denial) {
    if (attribution == null) {
      return denial;
    }
    if (denial instanceof SyscallDenied s) {
      ProcessAttribution.Facts facts = attribution.of(s.pid());
      return new SyscallDenied(
          s.syscall(),
          s.syscallNr(),
          s.arch(),
          s.action(),
          s.errno(),
          s.pid(),
          s.comm(),
          s.exe(),
          s.uid(),
          facts.container(),
          facts.seccompMode(),
          s.count(),
          s.firstSeen(),
          s.lastSeen());
    }
    LsmDenied l = (LsmDenied) denial;
    if (l.pid() == null) {
      return l;
    }
    ProcessAttribution.Facts facts = attribution.of(l.pid());
    return new LsmDenied(
        l.lsm(),
        l.operation(),
        l.profile(),
        l.scontext(),
        l.tcontext(),
        l.tclass(),
        l.object(),
        l.requested(),
        l.denied(),
        l.outcome(),
        l.permissive(),
        l.pid(),
        l.comm(),
        l.exe(),
        facts.container(),
        l.count(),
        l.firstSeen(),
        l.lastSeen());
  }

  private void emit(BurstDeduplicator.Release release) {
    stats.events.increment();
    CloudEvent.Builder event = builder(release.denial(), host).id(release.id());
    if (release.isRest()) {
      event
          .extension(BURST_OF, JsonNodeFactory.instance.textNode(release.firstId()))
          .extension(BURST_COUNT, JsonNodeFactory.instance.numberNode(release.total()));
    }
    sink.accept(event.build());
  }

  /**
   * The CloudEvent of a denial: source {@code /probes/denials/HOST}, subject {@code HOST:PROCESS}
   * (the executable, else the command, else the pid), time the burst's first denial; a kill is
   * critical, anything else a warning.
   */
  public static CloudEvent event(EventPayload denial, String host) {
    return builder(denial, host).build();
  }

  private static CloudEvent.Builder builder(EventPayload denial, String host) {
    String process;
    Severity severity = Severity.WARNING;
    java.time.Instant time;
    if (denial instanceof SyscallDenied s) {
      process = s.exe() != null ? s.exe() : s.comm() != null ? s.comm() : "pid " + s.pid();
      time = s.firstSeen();
      if (s.action().startsWith("KILL")) {
        severity = Severity.CRITICAL;
      }
    } else {
      LsmDenied l = (LsmDenied) denial;
      process =
          l.exe() != null
              ? l.exe()
              : l.comm() != null ? l.comm() : l.pid() != null ? "pid " + l.pid() : l.lsm();
      time = l.firstSeen();
      if (!"denied".equals(l.outcome()) || Boolean.TRUE.equals(l.permissive())) {
        severity = Severity.INFO;
      }
    }
    return CloudEvent.of(denial)
        .source("/probes/denials/" + host)
        .subject(host + ":" + process)
        .time(time)
        .severity(severity);
  }

  /** One line for people: what was denied to whom. */
  public static String describe(CloudEvent event, EventPayload denial) {
    StringBuilder line = new StringBuilder();
    if (denial instanceof SyscallDenied s) {
      line.append("seccomp ")
          .append(s.action())
          .append(s.errno() == null ? "" : "(" + s.errno() + ")")
          .append(' ')
          .append(s.syscall() == null ? "#" + s.syscallNr() : s.syscall())
          .append(" (")
          .append(s.arch())
          .append(") pid ")
          .append(s.pid())
          .append(s.comm() == null ? "" : " " + s.comm())
          .append(s.exe() == null ? "" : " " + s.exe());
      appendContainer(line, s.container());
      appendCount(line, event, s.count());
    } else {
      LsmDenied l = (LsmDenied) denial;
      line.append(l.lsm()).append(' ').append(l.outcome()).append(' ').append(l.operation());
      if (l.object() != null) {
        line.append(" on ").append(l.object());
      }
      if (l.profile() != null) {
        line.append(" profile ").append(l.profile());
      }
      if (l.scontext() != null) {
        line.append(' ').append(l.scontext()).append(" -> ").append(l.tcontext());
      }
      if (l.pid() != null) {
        line.append(" pid ").append(l.pid());
      }
      line.append(l.comm() == null ? "" : " " + l.comm());
      appendContainer(line, l.container());
      appendCount(line, event, l.count());
    }
    return event.time() + " " + line;
  }

  private static void appendContainer(
      StringBuilder line, io.valentia.eventbus.payload.Container container) {
    if (container != null) {
      line.append(" [")
          .append(container.runtime())
          .append(container.id() == null ? " " + container.cgroup() : " " + container.id())
          .append(']');
    }
  }

  private static void appendCount(StringBuilder line, CloudEvent event, int count) {
    var total = event.extensions().get(BURST_COUNT);
    if (total != null) {
      line.append(" x")
          .append(count)
          .append(" more (burst of ")
          .append(total.asInt())
          .append(" since ")
          .append(event.extensions().get(BURST_OF).asText())
          .append(')');
    } else if (count > 1) {
      line.append(" x").append(count);
    }
  }
}
