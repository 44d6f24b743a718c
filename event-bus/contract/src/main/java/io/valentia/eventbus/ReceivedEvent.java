package io.valentia.eventbus;

import java.time.Instant;

/**
 * A valid event as read from Kafka, with where it was read from.
 *
 * @param topic the topic
 * @param partition the partition
 * @param offset the offset
 * @param key the record key; nullable
 * @param timestamp the record timestamp
 * @param event the event
 */
public record ReceivedEvent(
    String topic, int partition, long offset, String key, Instant timestamp, CloudEvent event) {}
