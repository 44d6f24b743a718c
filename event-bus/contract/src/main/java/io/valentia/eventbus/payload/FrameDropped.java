package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * A burst of frames that missed their deadline in a render loop.
 *
 * @param hz the loop's refresh rate
 * @param frames how many frames were dropped in the burst
 * @param firstFrame index of the first dropped frame
 * @param lastFrame index of the last dropped frame
 * @param worstLatenessMicros the worst lateness past a deadline, in microseconds
 * @param source {@code loop} (Valentia's own render loop), {@code openvr} or {@code monado}
 */
public record FrameDropped(
    int hz, int frames, long firstFrame, long lastFrame, long worstLatenessMicros, String source)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.PROBE_FRAME_DROPPED;
  }
}
