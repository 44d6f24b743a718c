package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * Halt-all: every active fault is reverted and no new one may start, or the halt is released.
 *
 * @param requestedBy who asked
 * @param reason why; null when not given
 * @param released true when this event lifts an earlier halt
 * @param revertedFaults how many active faults were reverted
 */
public record ChaosHalt(String requestedBy, String reason, boolean released, int revertedFaults)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.CHAOS_HALT;
  }
}
