package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Reads each record of {@code valentia.events} as an event and stamps it with the event's own time,
 * so that windows follow event time. Records that are not valid events are skipped (the dead-letter
 * gate reports them), and so are incident events, except status commands.
 */
final class EventDecoder implements FixedKeyProcessor<String, byte[], CloudEvent> {
  private FixedKeyProcessorContext<String, CloudEvent> context;

  @Override
  public void init(FixedKeyProcessorContext<String, CloudEvent> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    CloudEvent event;
    try {
      event = EventCodec.instance().decode(record.value());
    } catch (InvalidEventException | IllegalArgumentException e) {
      return;
    }
    if (event.type().startsWith("io.valentia.incident.") && !IncidentDetector.isCommand(event)) {
      return;
    }
    long time = event.time() != null ? event.time().toEpochMilli() : record.timestamp();
    context.forward(record.withValue(event).withTimestamp(time));
  }
}
