package io.valentia.probes.denials;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
  private static final String NON_EMPTY = "must be a non-empty string";
  private static final Field<Boolean> ENABLED = Field.bool("enabled").withDefault(true);
  private static final Field<Boolean> KMSG =
      Field.bool("kmsg").withDefault(true).withDescription("follow /dev/kmsg");
  private static final Field<String> AUDIT_LOG =
      Field.string("auditLog")
          .validateAll(s -> !s.isBlank(), node -> NON_EMPTY)
          .withDescription("auditd's log to follow; null for none");
  private static final Field<JsonNode> FILES =
      Field.node("files").withDescription("more files of audit lines to follow");
  private static final Field<Duration> WINDOW =
      Field.duration("window")
          .withDefault(Duration.ofSeconds(10))
          .withDescription("identical denials within it are one event");
  private static final Field<String> HOST =
      Field.string("host")
          .validateAll(s -> !s.isBlank(), node -> NON_EMPTY)
          .withDescription("the events' host name; null for this machine's");
  private static final List<Field<?>> FIELDS =
      List.of(ENABLED, KMSG, AUDIT_LOG, FILES, WINDOW, HOST);

  public DenialsConfig {
    files = List.copyOf(files);
  }

  /** Every problem of the section, each naming its key. */
  public static List<String> problems(JsonNode config) {
    ConfigSection section = ConfigSection.of(config);
    read(section);
    return section.problemLines();
  }

  /**
   * The configuration of a section.
   *
   * @throws ConfigException listing every problem when the section has any
   */
  public static DenialsConfig of(JsonNode config) {
    ConfigSection section = ConfigSection.of(config);
    if (section.node().isMissingNode()) {
      return new DenialsConfig(true, null, List.of(), WINDOW.defaultValue(), null);
    }
    DenialsConfig read = read(section);
    section.throwIfProblems("bad probes.denials configuration");
    return read;
  }

  private static DenialsConfig read(ConfigSection section) {
    if (!section.node().isObject()) {
      section.problem("", "must be a mapping");
      return null;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    section.get(ENABLED);
    List<String> files = new ArrayList<>();
    for (ConfigSection file : section.section("files").items("must be a list of paths")) {
      if (!file.node().isTextual() || file.node().asText().isBlank()) {
        file.problem("", "must be a path");
      } else {
        files.add(file.node().asText());
      }
    }
    return new DenialsConfig(
        section.get(KMSG), section.get(AUDIT_LOG), files, section.get(WINDOW), section.get(HOST));
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
