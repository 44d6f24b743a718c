package io.valentia.postmortem.index;

import io.valentia.eventbus.CloudEvent;
import java.time.Instant;
import java.util.Optional;

/** Turns a valid event read from Kafka into the document an index keeps for it. */
@FunctionalInterface
public interface RecordMapper {

  /**
   * @param event the decoded event
   * @param raw the record value as read
   * @param recordTime the record's Kafka timestamp
   * @return the document, or empty when this index does not keep such events
   */
  Optional<IndexedRecord> map(CloudEvent event, byte[] raw, Instant recordTime);

  /** Every event, one document each, keyed by event id. */
  RecordMapper EVENTS =
      (event, raw, time) ->
          Optional.of(
              new IndexedRecord(
                  EventDocuments.idTerm(event.id()), EventDocuments.toDocument(event, raw, time)));
}
