package io.valentia.eventbus.health;

import java.time.Instant;

/**
 * A mute in force, as {@code ceph health mute} sets one: the value of {@link
 * io.valentia.eventbus.Topics#STATE_MUTES} under the check's name. Unmuting removes the entry (a
 * tombstone).
 *
 * <p>A mute counts while {@link #until} has not passed and, unless it is {@link #sticky}, while the
 * check has stayed raised since the mute (a check that cleared and came back, or that was not
 * raised when muted, is shown again) and counts no more than it did when muted (a check that got
 * worse is shown again).
 *
 * @param check the muted check
 * @param until when it ends by itself; null for never (until unmuted)
 * @param sticky whether it outlives the check clearing or growing
 * @param countAtMute the check's count when it was muted (0 when it was not raised)
 * @param raisedSince since when the check had been raised when it was muted ({@link
 *     RaisedCheck#since}, the earliest of its sources); null when it was not raised
 * @param by who muted it
 * @param at when it was muted
 */
public record CheckMute(
    String check,
    Instant until,
    boolean sticky,
    int countAtMute,
    Instant raisedSince,
    String by,
    Instant at) {

  /** Whether the mute has ended by its time at {@code now}. */
  public boolean expired(Instant now) {
    return until != null && !now.isBefore(until);
  }
}
