package io.valentia.postmortem.incidents;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One record the incident processor writes, in the transaction of the signal that caused it.
 *
 * @param topic {@code valentia.events} or {@code valentia.state.incidents}
 * @param value the record's value, already serialized
 */
record Output(String topic, byte[] value) {

  /** Writes an output's value as it is; outputs are never read back as outputs. */
  static final Serde<Output> SERDE =
      new Serde<>() {
        @Override
        public Serializer<Output> serializer() {
          return (topic, output) -> output == null ? null : output.value();
        }

        @Override
        public Deserializer<Output> deserializer() {
          return (topic, bytes) -> {
            throw new UnsupportedOperationException("outputs are written, never read");
          };
        }
      };
}
