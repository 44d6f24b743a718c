package io.valentia.probes.denials;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code probes.denials} configuration:
 *
 * <pre>
 * probes:
 *   denials:
 *     enabled: true
 *     kmsg: true                           # follow /dev/kmsg (needs root or CAP_SYSLOG)
 *     auditLog: /var/log/audit/audit.log   # follow auditd's log (raw or ENRICHED); absent: none
 *     files: []                            # more files of audit lines to follow
 *     window: 10s                          # burst window: identical denials within it are one event
 *     host: osd-12                         # the events' host name; default: this machine's name
 * </pre>
 *
 * @param kmsg whether to follow the kernel log
 * @param auditLog the audit log to follow; null for none
 * @param files other files to follow
 * @param window the burst window
 * @param host the host name in events; null for this machine's
 */
public record DenialsConfig(
    boolean kmsg, String auditLog, List<String> files, Duration window, String host) {
  private static final Set<String> KEYS =
      Set.of("enabled", "kmsg", "auditLog", "files", "window", "host");

  public DenialsConfig {
    files = List.copyOf(files);
  }

  /** Every problem of the section, each naming its key. */
  public static List<String> problems(JsonNode config) {
    List<String> problems = new ArrayList<>();
    if (!config.isObject()) {
      problems.add("must be a mapping");
      return problems;
    }
    config
        .fieldNames()
        .forEachRemaining(
            key -> {
              if (!KEYS.contains(key)) {
                problems.add(key + ": unknown key (known: " + String.join(", ", KEYS) + ")");
              }
            });
    for (String key : List.of("enabled", "kmsg")) {
      if (config.has(key) && !config.get(key).isBoolean()) {
        problems.add(key + ": must be true or false");
      }
    }
    for (String key : List.of("auditLog", "host")) {
      if (config.has(key) && (!config.get(key).isTextual() || config.get(key).asText().isBlank())) {
        problems.add(key + ": must be a non-empty string");
      }
    }
    JsonNode files = config.path("files");
    if (!files.isMissingNode()) {
      if (!files.isArray()) {
        problems.add("files: must be a list of paths");
      } else {
        for (int i = 0; i < files.size(); i++) {
          if (!files.get(i).isTextual() || files.get(i).asText().isBlank()) {
            problems.add("files[" + i + "]: must be a path");
          }
        }
      }
    }
    if (config.has("window")) {
      try {
        duration(config.get("window").asText());
      } catch (IllegalArgumentException e) {
        problems.add("window: " + e.getMessage());
      }
    }
    return problems;
  }

  /**
   * The configuration of a section.
   *
   * @throws IllegalArgumentException listing every problem when the section has any
   */
  public static DenialsConfig of(JsonNode config) {
    if (config.isMissingNode()) {
      return new DenialsConfig(true, null, List.of(), Duration.ofSeconds(10), null);
    }
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    List<String> files = new ArrayList<>();
    config.path("files").forEach(f -> files.add(f.asText()));
    return new DenialsConfig(
        config.path("kmsg").asBoolean(true),
        config.hasNonNull("auditLog") ? config.get("auditLog").asText() : null,
        files,
        config.has("window") ? duration(config.get("window").asText()) : Duration.ofSeconds(10),
        config.hasNonNull("host") ? config.get("host").asText() : null);
  }

  /**
   * A duration as people write it: {@code 0s}, {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Duration duration(String text) {
    return io.valentia.eventbus.config.Durations.parse(text);
  }

  /** This machine's host name, or {@code localhost} when it has none. */
  public static String localHost() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
