package io.valentia.postmortem.incidents;

import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serde of a record type as JSON, with {@link EventCodec#MAPPER}. Thread-safe. */
final class JsonSerde<T> implements Serde<T> {
  private final Class<T> type;

  JsonSerde(Class<T> type) {
    this.type = type;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        return EventCodec.MAPPER.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write a " + type.getSimpleName(), e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return EventCodec.MAPPER.readValue(bytes, type);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read a " + type.getSimpleName(), e);
      }
    };
  }
}
