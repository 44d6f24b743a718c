package io.valentia.probes.denials;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one watcher; thread-safe to read while it runs. */
public final class DenialStats {
  final LongAdder lines = new LongAdder();
  final LongAdder records = new LongAdder();
  final LongAdder denials = new LongAdder();
  final LongAdder events = new LongAdder();
  final LongAdder suppressed = new LongAdder();
  final LongAdder unknown = new LongAdder();
  final LongAdder other = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder interpreted = new LongAdder();

  /** Lines read. */
  public long lines() {
    return lines.sum();
  }

  /** Audit records among them. */
  public long records() {
    return records.sum();
  }

  /** Denials found (before bursts were folded). */
  public long denials() {
    return denials.sum();
  }

  /** Events emitted. */
  public long events() {
    return events.sum();
  }

  /**
   * Audit records the kernel did not print ({@code kauditd_printk_skb: N callbacks suppressed}):
   * denials may be among them.
   */
  public long suppressed() {
    return suppressed.sum();
  }

  /** Lines and records that looked like audit output but could not be read (skipped). */
  public long unknown() {
    return unknown.sum();
  }

  /** Lines of other kinds (other kernel messages, separators), skipped. */
  public long other() {
    return other.sum();
  }

  /**
   * Records dropped as copies of one already read (the raw and the ENRICHED copy of one audit id),
   * so not counted as denials again.
   */
  public long duplicates() {
    return duplicates.sum();
  }

  /**
   * Records in {@code ausearch -i}'s interpreted form, whose times are local times of the zone the
   * parser was given.
   */
  public long interpreted() {
    return interpreted.sum();
  }

  /** The counters as JSON. */
  public ObjectNode toJson() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("lines", lines());
    json.put("records", records());
    json.put("denials", denials());
    json.put("events", events());
    json.put("suppressed", suppressed());
    json.put("unknown", unknown());
    json.put("other", other());
    json.put("duplicates", duplicates());
    json.put("interpreted", interpreted());
    return json;
  }

  @Override
  public String toString() {
    return lines()
        + " lines, "
        + records()
        + " audit records, "
        + denials()
        + " denials in "
        + events()
        + " events, "
        + suppressed()
        + " suppressed by the kernel, "
        + unknown()
        + " unreadable, "
        + other()
        + " other lines, "
        + duplicates()
        + " copies of records already read";
  }
}
