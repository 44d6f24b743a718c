package io.valentia.eventbus.kafka;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import io.vertx.core.Future;

/**
 * Publishes events to Kafka. Implementations never block the calling thread (an event loop may call
 * them) and validate each event before it leaves the process.
 */
public interface EventPublisher {

  /**
   * Publishes {@code event} on {@code topic} with record key {@code key}.
   *
   * @return the position the broker stored it at, once every in-sync replica has it; a failed
   *     future with {@link InvalidEventException} when the event is not valid
   */
  Future<RecordPosition> publish(String topic, String key, CloudEvent event);

  /** Publishes {@code event} on {@link Topics#EVENTS}, keyed by {@link Topics#keyOf}. */
  default Future<RecordPosition> publish(CloudEvent event) {
    return publish(Topics.EVENTS, Topics.keyOf(event), event);
  }

  /** Where a record was stored. */
  record RecordPosition(String topic, int partition, long offset) {
    /** {@code partition-offset}, the form used as an SSE event id. */
    @Override
    public String toString() {
      return partition + "-" + offset;
    }
  }
}
