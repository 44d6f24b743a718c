package io.valentia.notifications.events;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.payload.PostmortemRevised;
import io.valentia.notifications.alert.Alert;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-time alert of a postmortem moved to review ({@code PostmortemInReview}) or made final
 * ({@code PostmortemFinal}); other revisions raise nothing.
 */
final class PostmortemAlerts {
  private final FiringAlerts firing;
  private final AlertLabels alertLabels;

  PostmortemAlerts(FiringAlerts firing, AlertLabels alertLabels) {
    this.firing = firing;
    this.alertLabels = alertLabels;
  }

  List<Alert> revised(CloudEvent event, PostmortemRevised revised, Instant at) {
    boolean moved =
        revised.action().equals("status-changed")
            && (revised.status().equals("in-review") || revised.status().equals("final"));
    if (!moved) {
      return List.of();
    }
    Map<String, String> labels =
        alertLabels.common(
            event, revised.status().equals("final") ? "PostmortemFinal" : "PostmortemInReview");
    labels.put("postmortem", revised.postmortemId());
    labels.put("severity", "info");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        "summary",
        "Postmortem "
            + revised.postmortemId()
            + (revised.status().equals("final") ? " is final" : " is ready for review"));
    annotations.put(
        "description",
        "revision " + revised.revision() + " by " + revised.author() + noteOf(revised.note()));
    return List.of(
        FiringAlerts.oneShot(
            labels,
            annotations,
            at,
            alertLabels.link("/postmortems.html?id=", revised.postmortemId())));
  }

  private static String noteOf(String note) {
    return note == null || note.isBlank() ? "" : ": " + note;
  }
}
