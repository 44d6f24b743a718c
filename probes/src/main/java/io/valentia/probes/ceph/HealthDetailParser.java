package io.valentia.probes.ceph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.EventCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code ceph health detail}, as text or as {@code --format json}.
 *
 * <p>Text: a first line {@code HEALTH_WARN summary; summary}, then per check either {@code [WRN]
 * NAME: summary} (Nautilus and later; {@code [ERR]} for errors) or {@code NAME summary} (earlier
 * releases, severity that of the first line), each followed by indented detail lines. JSON: {@code
 * {"status": ..., "checks": {NAME: {"severity": ..., "summary": {"message": ...}, "detail":
 * [{"message": ...}]}}}}. Unknown fields are ignored; lines that are not the format are reported.
 * Stateless and thread-safe.
 */
public final class HealthDetailParser {
  private static final Pattern STATUS =
      Pattern.compile("^(HEALTH_OK|HEALTH_WARN|HEALTH_ERR)\\b\\s*(.*)$");
  private static final Pattern TAGGED =
      Pattern.compile("^\\[(WRN|ERR)\\]\\s+([A-Z][A-Z0-9_]*):\\s*(.*)$");
  private static final Pattern UNTAGGED = Pattern.compile("^([A-Z][A-Z0-9_]+)\\s+(.+)$");

  /**
   * Parses either form (JSON when the text starts with {@code {}).
   *
   * @throws CephFormatException when the first line is no health status, or the JSON has none
   */
  public CephHealth parse(String text) {
    String trimmed = text.strip();
    return trimmed.startsWith("{") ? parseJson(trimmed) : parseText(text);
  }

  private CephHealth parseText(String text) {
    String[] lines = text.split("\r?\n");
    int first = 0;
    while (first < lines.length && lines[first].isBlank()) {
      first++;
    }
    Matcher status = first < lines.length ? STATUS.matcher(lines[first].strip()) : null;
    if (status == null || !status.matches()) {
      throw new CephFormatException(
          "not `ceph health detail` output: the first line must start with HEALTH_OK,"
              + " HEALTH_WARN or HEALTH_ERR");
    }
    String overall = status.group(1);
    List<CephHealth.Check> checks = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    String name = null;
    String severity = null;
    String summary = null;
    List<String> detail = new ArrayList<>();
    for (int i = first + 1; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      if (Character.isWhitespace(line.charAt(0))) {
        if (name == null) {
          problems.add("line " + (i + 1) + ": detail line before any check");
        } else {
          detail.add(line.strip());
        }
        continue;
      }
      Matcher tagged = TAGGED.matcher(line.strip());
      Matcher untagged = UNTAGGED.matcher(line.strip());
      if (tagged.matches() || untagged.matches()) {
        if (name != null) {
          checks.add(new CephHealth.Check(name, severity, summary, detail));
        }
        detail = new ArrayList<>();
        if (tagged.matches()) {
          name = tagged.group(2);
          severity = tagged.group(1).equals("ERR") ? "HEALTH_ERR" : "HEALTH_WARN";
          summary = tagged.group(3);
        } else {
          name = untagged.group(1);
          severity = overall.equals("HEALTH_ERR") ? "HEALTH_ERR" : "HEALTH_WARN";
          summary = untagged.group(2);
        }
      } else {
        problems.add("line " + (i + 1) + ": not a check or an indented detail line");
      }
    }
    if (name != null) {
      checks.add(new CephHealth.Check(name, severity, summary, detail));
    }
    List<String> summaries = new ArrayList<>();
    for (String part : status.group(2).split(";")) {
      if (!part.isBlank()) {
        summaries.add(part.strip());
      }
    }
    return new CephHealth(overall, checks, problems, summaries);
  }

  private CephHealth parseJson(String text) {
    JsonNode root;
    try {
      root = EventCodec.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CephFormatException(
          "not `ceph health detail --format json`: "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    String overall = root.path("status").asText("");
    if (!STATUS.matcher(overall).matches()) {
      throw new CephFormatException(
          "not `ceph health detail --format json`: no \"status\" HEALTH_OK, HEALTH_WARN or"
              + " HEALTH_ERR");
    }
    List<CephHealth.Check> checks = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    JsonNode all = root.path("checks");
    if (!all.isMissingNode() && !all.isObject()) {
      problems.add("checks: not an object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode check = entry.getValue();
      String severity = check.path("severity").asText("");
      if (!severity.equals("HEALTH_WARN") && !severity.equals("HEALTH_ERR")) {
        problems.add("checks." + entry.getKey() + ": severity must be HEALTH_WARN or HEALTH_ERR");
        continue;
      }
      List<String> detail = new ArrayList<>();
      for (JsonNode line : check.path("detail")) {
        detail.add(line.path("message").asText(""));
      }
      checks.add(
          new CephHealth.Check(
              entry.getKey(), severity, check.path("summary").path("message").asText(""), detail));
    }
    return new CephHealth(overall, checks, problems);
  }
}
