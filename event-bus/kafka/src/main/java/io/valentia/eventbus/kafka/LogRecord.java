package io.valentia.eventbus.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One record as read from a Kafka topic, without Kafka client types: where it is, its key and value
 * bytes (either may be null; a null value on a state topic is a tombstone) and its headers.
 *
 * @param timestamp the record's timestamp, in milliseconds since the epoch
 * @param headers the last value of each header
 */
public record LogRecord(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    Map<String, byte[]> headers) {

  /** The key as UTF-8 text, or null. */
  public String keyString() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** The header {@code name} as UTF-8 text, or null. */
  public String header(String name) {
    byte[] value = headers.get(name);
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** The position right after this record: where a reader resumes. */
  public long nextOffset() {
    return offset + 1;
  }
}
