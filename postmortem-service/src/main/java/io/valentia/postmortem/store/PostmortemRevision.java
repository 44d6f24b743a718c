package io.valentia.postmortem.store;

import io.valentia.eventbus.payload.SectionChange;
import java.time.Instant;
import java.util.List;

/**
 * One stored revision of a postmortem, as read from {@code valentia.postmortems}.
 *
 * @param postmortemId the postmortem
 * @param revision its number, from 1
 * @param author who made it
 * @param time when
 * @param action {@code created}, {@code revised}, {@code status-changed} or {@code imported}
 * @param status the status after it
 * @param changes the sections it changed, with their new values
 * @param note why; null when not given
 * @param eventId the id of the event that carries it
 */
public record PostmortemRevision(
    String postmortemId,
    int revision,
    String author,
    Instant time,
    String action,
    String status,
    List<SectionChange> changes,
    String note,
    String eventId) {

  /** The names of the sections it changed. */
  public List<String> sections() {
    return changes.stream().map(SectionChange::section).toList();
  }
}
