package io.valentia.notifications.receiver;

import io.valentia.notifications.alert.Alert;
import io.valentia.notifications.alert.Notification;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Text every message shape shares: titles, alert lines, severities, truncation. */
final class MessageText {
  /** What ends a text cut to a limit (Alertmanager's truncation marker). */
  static final String ELLIPSIS = "…";

  private static final List<String> SEVERITIES = List.of("critical", "error", "warning", "info");
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private MessageText() {}

  /**
   * Alertmanager's default title: {@code [FIRING:2] summary} or {@code [RESOLVED] summary}, the
   * summary being the annotation every alert shares, else the group's label values, else the
   * receiver.
   */
  static String title(Notification n) {
    String status =
        "firing".equals(n.status()) ? "[FIRING:" + n.firing().size() + "]" : "[RESOLVED]";
    return status + " " + subject(n);
  }

  /** What the group is about, without its status. */
  static String subject(Notification n) {
    String summary = n.commonAnnotations().get("summary");
    if (summary != null && !summary.isBlank()) {
      return summary;
    }
    if (!n.groupLabels().isEmpty()) {
      return String.join(" ", n.groupLabels().values());
    }
    return n.receiver();
  }

  /** The one-line name of an alert: its summary, else its type, else its fingerprint. */
  static String name(Alert a) {
    String summary = a.annotations().get("summary");
    if (summary != null && !summary.isBlank()) {
      return summary;
    }
    for (String label : List.of("alertname", "type")) {
      if (!a.label(label).isEmpty()) {
        return a.label(label);
      }
    }
    return a.fingerprint();
  }

  /** The alert's description annotation, or null. */
  static String description(Alert a) {
    String d = a.annotations().get("description");
    return d == null || d.isBlank() ? null : d;
  }

  /** The labels that tell this alert apart from the rest of its group, as {@code k=v} pairs. */
  static List<String> distinctLabels(Alert a, Map<String, String> common) {
    return a.labels().entrySet().stream()
        .filter(e -> !e.getValue().equals(common.get(e.getKey())))
        .map(e -> e.getKey() + "=" + e.getValue())
        .toList();
  }

  /**
   * The group's severity: the label every alert shares, else the highest of the firing alerts
   * ({@code critical > error > warning > info}), else the empty string.
   */
  static String severity(Notification n) {
    String common = n.commonLabels().get("severity");
    if (common != null) {
      return common;
    }
    List<Alert> alerts = n.firing().isEmpty() ? n.alerts() : n.firing();
    return alerts.stream()
        .map(a -> a.label("severity"))
        .filter(s -> !s.isEmpty())
        .min((x, y) -> Integer.compare(rank(x), rank(y)))
        .orElse("");
  }

  private static int rank(String severity) {
    int i = SEVERITIES.indexOf(severity.toLowerCase(Locale.ROOT));
    return i < 0 ? SEVERITIES.size() : i;
  }

  /** {@code 2 firing, 1 resolved}. */
  static String counts(Notification n) {
    int firing = n.firing().size();
    int resolved = n.resolved().size();
    if (resolved == 0) {
      return firing + " firing";
    }
    if (firing == 0) {
      return resolved + " resolved";
    }
    return firing + " firing, " + resolved + " resolved";
  }

  /** The group labels as {@code k=v, k=v}; empty when the group has none. */
  static String groupPairs(Notification n) {
    return n.groupLabels().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** {@code 2026-12-07 05:17 UTC}. */
  static String when(Instant t) {
    return WHEN.format(t);
  }

  /** Whether the alert is firing at the notification's flush. */
  static boolean firing(Notification n, Alert a) {
    return !a.resolvedAt(n.createdAt());
  }

  /** {@code and N more}: what stands for the alerts a message had no room for. */
  static String andMore(int n) {
    return "and " + n + " more";
  }

  /**
   * {@code text} cut to at most {@code max} code points, its last one replaced by {@link #ELLIPSIS}
   * when cut (Alertmanager's {@code TruncateInRunes}).
   */
  static String truncate(String text, int max) {
    if (text == null) {
      return null;
    }
    int length = text.codePointCount(0, text.length());
    if (length <= max) {
      return text;
    }
    if (max <= 1) {
      return text.substring(0, text.offsetByCodePoints(0, max));
    }
    return text.substring(0, text.offsetByCodePoints(0, max - 1)) + ELLIPSIS;
  }

  /** Length in code points, as Slack and Discord count. */
  static int length(String text) {
    return text.codePointCount(0, text.length());
  }
}
