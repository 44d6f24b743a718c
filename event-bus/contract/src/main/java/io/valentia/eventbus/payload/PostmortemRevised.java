package io.valentia.eventbus.payload;

import io.valentia.eventbus.EventType;
import java.util.List;

/**
 * A revision of a postmortem, on {@code valentia.postmortems} keyed by the postmortem id. The first
 * revision (1) holds every section that is not empty; each later one holds only the sections it
 * changed, each with its whole new value, so folding revisions 1..N gives revision N and no history
 * is ever lost. When it was made is the event's {@code time}.
 *
 * @param postmortemId the postmortem's id
 * @param revision the revision this event creates, from 1; one more than the revision it was based
 *     on
 * @param author who made it (the authenticated principal)
 * @param action {@code created}, {@code revised}, {@code status-changed} or {@code imported}
 * @param status the postmortem's status after this revision: {@code draft}, {@code in-review} or
 *     {@code final}
 * @param changes the sections this revision changed, with their new values; empty when only the
 *     status changed
 * @param note why the change was made; null when not given
 */
public record PostmortemRevised(
    String postmortemId,
    int revision,
    String author,
    String action,
    String status,
    List<SectionChange> changes,
    String note)
    implements EventPayload {
  @Override
  public EventType eventType() {
    return EventType.POSTMORTEM_REVISED;
  }
}
