package io.valentia.postmortem.incidents;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One record the incident processor writes, in the transaction of the signal that caused it.
 *
 * @param topic {@code valentia.events} or {@code valentia.state.incidents}
 * @param value the record's value, already serialized
 */
record Output(String topic, byte[] value) {

  /**
   * An output's value as it is; read back from {@code topic}, the same bytes are that topic's
   * output again.
   */
  static final Serde<Output> SERDE =
      Serdes.serdeFrom(
          (topic, output) -> output == null ? null : output.value(),
          (topic, bytes) -> bytes == null ? null : new Output(topic, bytes));
}
