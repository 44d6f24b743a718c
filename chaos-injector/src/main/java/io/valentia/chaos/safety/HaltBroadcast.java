package io.valentia.chaos.safety;

import io.valentia.chaos.state.ControlState;
import io.valentia.chaos.state.HaltState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.EventPublisher.RecordPosition;
import io.valentia.eventbus.kafka.KafkaEventPublisher;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.ChaosHalt;
import io.vertx.core.Future;

/**
 * A halt or release as the API and the CLI give it: first the halt switch's entry in {@code
 * valentia.state.schedules} (key {@code halt}: what an injector that starts later reads, and what
 * every running injector follows), then the {@code chaos.halt} command on {@code valentia.control}
 * (what every running injector applies at once, and the audit). Both carry the command's id, so an
 * injector applies it once. Both are sealed as sent by whoever asked (see {@link ControlSeal}).
 */
public final class HaltBroadcast {
  private final StateTable<ControlState> table;
  private final KafkaEventPublisher publisher;
  private final ControlSeal seal;

  public HaltBroadcast(
      StateTable<ControlState> table, KafkaEventPublisher publisher, ControlSeal seal) {
    this.table = table;
    this.publisher = publisher;
    this.seal = seal;
  }

  /**
   * Sends {@code command} (a {@code chaos.halt} event) as sent by {@code by}.
   *
   * @return where the command is on valentia.control; fails when Kafka does not take the state or
   *     the command
   */
  public Future<RecordPosition> send(CloudEvent command, ChaosHalt halt, ControlSeal.Sender by) {
    HaltState state =
        new HaltState(
            command.id(), !halt.released(), halt.requestedBy(), halt.reason(), command.time());
    ControlState entry = seal.seal(table.topic(), ControlState.HALT, ControlState.of(state), by);
    return Future.fromCompletionStage(table.put(ControlState.HALT, entry))
        .compose(v -> publisher.send(seal.record(Topics.CONTROL, ControlState.HALT, command, by)));
  }
}
