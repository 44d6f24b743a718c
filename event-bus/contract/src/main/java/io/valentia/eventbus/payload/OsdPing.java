package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;

/**
 * One Ceph OSD-to-OSD heartbeat entry from {@code dump_osd_network}. Times are milliseconds.
 *
 * @param fromOsd the OSD that sent the heartbeat
 * @param toOsd the OSD it was sent to
 * @param iface {@code front} or {@code back}
 * @param lastMs the last ping time
 * @param averageMs averages over 1, 5 and 15 minutes; null when not reported
 * @param minMs minima over 1, 5 and 15 minutes; null when not reported
 * @param maxMs maxima over 1, 5 and 15 minutes; null when not reported
 * @param stale whether Ceph marked the entry stale
 * @param thresholdMs the slow-ping threshold in force
 */
public record OsdPing(
    int fromOsd,
    int toOsd,
    String iface,
    double lastMs,
    Windows averageMs,
    Windows minMs,
    Windows maxMs,
    boolean stale,
    double thresholdMs)
    implements EventPayload {

  /** Values over Ceph's 1, 5 and 15 minute windows. */
  public record Windows(double m1, double m5, double m15) {}

  @Override
  public EventType eventType() {
    return EventType.PROBE_OSD_PING;
  }
}
