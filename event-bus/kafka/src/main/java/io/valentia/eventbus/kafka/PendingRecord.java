package io.valentia.eventbus.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A polled record waiting for a subscriber's handler.
 *
 * @param record the record as polled
 * @param tp its partition
 * @param epoch the partition's assignment epoch when it was polled (see {@link CommitTracker})
 */
record PendingRecord(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, int epoch) {}
