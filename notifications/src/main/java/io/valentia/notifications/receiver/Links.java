package io.valentia.notifications.receiver;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pages of Valentia's web UI a notification links to: for each distinct {@code incident},
 * {@code experiment} and {@code postmortem} label of its alerts, {@code
 * EXTERNAL/incidents.html#ID}, {@code EXTERNAL/experiments.html#ID} and {@code
 * EXTERNAL/postmortems.html#ID}, in that order; then the alerts' own {@code generatorUrl}s.
 */
public final class Links {
  /** At most this many links per message (Slack allows 25 buttons; people read fewer). */
  public static final int MAX = 10;

  private Links() {}

  /**
   * One link.
   *
   * @param label what a button or link says, e.g. {@code Incident inc-1}
   * @param url where it goes
   */
  public record Link(String label, String url) {}

  /**
   * The links of {@code n}'s alerts, at most {@link #MAX}.
   *
   * @param externalUrl the web UI's address as people reach it; null for none (then only the
   *     generator URLs are given)
   */
  public static List<Link> of(Notification n, URI externalUrl) {
    List<Link> links = new ArrayList<>();
    if (externalUrl != null) {
      add(links, n, externalUrl, "incident", "Incident", "incidents.html");
      add(links, n, externalUrl, "experiment", "Experiment", "experiments.html");
      add(links, n, externalUrl, "postmortem", "Postmortem", "postmortems.html");
    }
    Set<String> generators = new LinkedHashSet<>();
    for (Alert a : n.alerts()) {
      if (a.generatorUrl() != null && !a.generatorUrl().isBlank()) {
        generators.add(a.generatorUrl());
      }
    }
    for (String g : generators) {
      links.add(new Link(generators.size() == 1 ? "Source" : "Source " + (links.size() + 1), g));
    }
    return links.size() > MAX ? List.copyOf(links.subList(0, MAX)) : List.copyOf(links);
  }

  /** The page of one entity, e.g. {@code page(url, "incidents.html", "inc-1")}. */
  public static String page(URI externalUrl, String page, String id) {
    String base = externalUrl.toString();
    if (!base.endsWith("/")) {
      base = base + "/";
    }
    return base + page + "#" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void add(
      List<Link> links, Notification n, URI externalUrl, String label, String name, String page) {
    Set<String> ids = new LinkedHashSet<>();
    for (Alert a : n.alerts()) {
      if (!a.label(label).isEmpty()) {
        ids.add(a.label(label));
      }
    }
    for (String id : ids) {
      links.add(new Link(name + " " + id, page(externalUrl, page, id)));
    }
  }
}
