package io.valentia.postmortem.incidents;

import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides whether a subject's burst window fires its rule, and turns each burst event into one
 * {@link Signal}. A rule that fired consumes the events it counted: the next firing needs a full
 * count of later events, as "N bursts within the window" means N new ones. What was consumed is
 * kept per rule and subject in the {@link #STORE} store (key {@code rule|subject}), with its
 * changelog. Events that fire nothing and are only informational go no further.
 */
final class BurstGate implements FixedKeyProcessor<String, BurstGate.Update, Signal> {
  static final String STORE = "burst-marks";

  /** Which burst rule a window belongs to. */
  enum Rule {
    FRAMES,
    KILLS
  }

  /**
   * A new version of one window of one subject (the record key).
   *
   * @param windowStart the window's start, epoch milliseconds
   */
  record Update(Rule rule, long windowStart, BurstCount count) {}

  /**
   * What the last firing consumed: every event before {@code time}, and those at {@code time} whose
   * ids are listed.
   */
  record Mark(long time, List<String> ids) {
    Mark {
      ids = ids == null ? List.of() : List.copyOf(ids);
    }

    boolean consumed(BurstCount.Entry entry) {
      return entry.time() < time || (entry.time() == time && ids.contains(entry.id()));
    }
  }

  private final DetectionRules rules;
  private FixedKeyProcessorContext<String, Signal> context;
  private KeyValueStore<String, Mark> marks;

  BurstGate(DetectionRules rules) {
    this.rules = rules;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Signal> context) {
    this.context = context;
    this.marks = context.getStateStore(STORE);
  }

  @Override
  public void process(FixedKeyRecord<String, Update> record) {
    Update update = record.value();
    String subject = record.key();
    String markKey = update.rule() + "|" + subject;
    Mark mark = marks.get(markKey);
    List<BurstCount.Entry> fresh = new ArrayList<>();
    long total = 0;
    for (BurstCount.Entry entry : update.count().entries()) {
      if (entry.time() < update.windowStart() || (mark != null && mark.consumed(entry))) {
        continue;
      }
      fresh.add(entry);
      total += update.rule() == Rule.FRAMES ? 1 : entry.count();
    }
    Trigger trigger = null;
    if (update.rule() == Rule.FRAMES && total >= rules.frameBursts()) {
      trigger = Trigger.frameBursts(rules, subject);
    } else if (update.rule() == Rule.KILLS && total >= rules.killDenials()) {
      trigger = Trigger.killDenials(rules, subject, total);
    }
    if (trigger != null) {
      long at = update.count().latest().time();
      List<String> atFire =
          fresh.stream().filter(e -> e.time() == at).map(BurstCount.Entry::id).toList();
      marks.put(markKey, new Mark(at, atFire));
    } else if (!notable(update.count().last())) {
      return;
    }
    context.forward(record.withValue(new Signal(trigger, update.count().last())));
  }

  private static boolean notable(String json) {
    try {
      String severity = EventCodec.MAPPER.readTree(json).path("severity").asText("info");
      return !severity.equals("info");
    } catch (IOException e) {
      return false;
    }
  }
}
