package io.valentia.notifications.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The links of a notification")
class LinksTest {

  @Test
  @DisplayName("Point to the incident, experiment and postmortem pages, then the alerts' sources")
  void links() {
    Alert a =
        new Alert(
            Map.of("incident", "inc-7", "experiment", "exp 1", "postmortem", "pm-3"),
            Map.of(),
            Fixtures.STARTED,
            null,
            "http://prometheus.example/graph?g0.expr=up");
    Alert b =
        new Alert(
            Map.of("incident", "inc-7", "experiment", "exp-2"),
            Map.of(),
            Fixtures.STARTED,
            null,
            null);
    Notification n = new Notification("n", "r", "{}:{}", Map.of(), List.of(a, b), Fixtures.FLUSHED);

    assertThat(Links.of(n, URI.create("https://valentia.example/ui/")))
        .containsExactly(
            new Links.Link("Incident inc-7", "https://valentia.example/ui/incidents.html#inc-7"),
            new Links.Link(
                "Experiment exp 1", "https://valentia.example/ui/experiments.html#exp%201"),
            new Links.Link(
                "Experiment exp-2", "https://valentia.example/ui/experiments.html#exp-2"),
            new Links.Link("Postmortem pm-3", "https://valentia.example/ui/postmortems.html#pm-3"),
            new Links.Link("Source", "http://prometheus.example/graph?g0.expr=up"));
  }

  @Test
  @DisplayName("Keep only the sources when no external URL is configured")
  void noExternalUrl() {
    assertThat(Links.of(Fixtures.incident(), null))
        .containsExactly(new Links.Link("Source", "https://valentia.example/live.html#osd-12"));
  }
}
