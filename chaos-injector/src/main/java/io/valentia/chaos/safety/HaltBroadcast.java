package io.valentia.chaos.safety;

import io.valentia.chaos.state.ControlState;
import io.valentia.chaos.state.HaltState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventPublisher;
import io.valentia.eventbus.EventPublisher.RecordPosition;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.payload.ChaosHalt;
import io.vertx.core.Future;

/**
 * A halt or release as the API and the CLI give it: first the halt switch's entry in {@code
 * valentia.state.schedules} (key {@code halt}: what an injector that starts later reads, and what
 * every running injector follows), then the {@code chaos.halt} command on {@code valentia.control}
 * (what every running injector applies at once, and the audit). Both carry the command's id, so an
 * injector applies it once.
 */
public final class HaltBroadcast {
  private final StateTable<ControlState> table;
  private final EventPublisher publisher;

  public HaltBroadcast(StateTable<ControlState> table, EventPublisher publisher) {
    this.table = table;
    this.publisher = publisher;
  }

  /**
   * Sends {@code command} (a {@code chaos.halt} event).
   *
   * @return where the command is on valentia.control; fails when Kafka does not take the state or
   *     the command
   */
  public Future<RecordPosition> send(CloudEvent command, ChaosHalt halt) {
    HaltState state =
        new HaltState(
            command.id(), !halt.released(), halt.requestedBy(), halt.reason(), command.time());
    return Future.fromCompletionStage(table.put(ControlState.HALT, ControlState.of(state)))
        .compose(v -> publisher.publish(Topics.CONTROL, ControlState.HALT, command));
  }
}
