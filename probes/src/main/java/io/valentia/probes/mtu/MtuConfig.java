package io.valentia.probes.mtu;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@code probes.mtu} configuration:
 *
 * <pre>
 * probes:
 *   mtu:
 *     enabled: true
 *     agent: true              # run the UDP echo agent on this host
 *     agentPort: 7347
 *     agentBind: 0.0.0.0
 *     peers: [osd-7:7347, 10.0.0.8:7347]   # UDP peers (their agents)
 *     icmpPeers: [switch-1]                # peers without an agent: system ping -M do
 *     sizes: [1472, 8972]
 *     interval: 30s
 *     timeout: 1s
 *     attempts: 2
 *     ratePerPeer: 20                      # requests per second to one peer
 *     maxInFlight: 16
 *     name: osd-12                         # this host in events (default: the host name)
 *     pingCommand: ping
 * </pre>
 *
 * @param name null for the host name
 */
public record MtuConfig(
    boolean agent,
    int agentPort,
    String agentBind,
    List<MtuPeer> peers,
    MtuProbeSettings settings,
    Duration interval,
    String name) {

  private static final Set<String> KEYS =
      Set.of(
          "enabled",
          "agent",
          "agentPort",
          "agentBind",
          "peers",
          "icmpPeers",
          "sizes",
          "interval",
          "timeout",
          "attempts",
          "ratePerPeer",
          "maxInFlight",
          "name",
          "pingCommand");

  /** Thrown with every problem of the section. */
  public static final class InvalidMtuConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    InvalidMtuConfigException(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /** Every problem of {@code section}, each naming its key; empty when it is fine. */
  public static List<String> check(JsonNode section) {
    List<String> problems = new ArrayList<>();
    read(section, problems);
    return problems;
  }

  /**
   * Reads the section (a missing node gives the defaults).
   *
   * @throws InvalidMtuConfigException listing every problem
   */
  public static MtuConfig parse(JsonNode section) {
    List<String> problems = new ArrayList<>();
    MtuConfig config = read(section, problems);
    if (!problems.isEmpty()) {
      throw new InvalidMtuConfigException(problems);
    }
    return config;
  }

  private static MtuConfig read(JsonNode section, List<String> problems) {
    if (!section.isMissingNode() && !section.isObject()) {
      problems.add("must be a mapping");
      return null;
    }
    for (Iterator<String> names = section.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!KEYS.contains(key)) {
        problems.add(
            key
                + ": unknown key (known: "
                + String.join(", ", KEYS.stream().sorted().toList())
                + ")");
      }
    }
    boolean agent = bool(section, "agent", true, problems);
    bool(section, "enabled", true, problems);
    int agentPort = integer(section, "agentPort", MtuEchoCommand.DEFAULT_PORT, 0, 65_535, problems);
    String agentBind = text(section, "agentBind", "0.0.0.0", problems);
    List<MtuPeer> peers = new ArrayList<>();
    peers(section, "peers", true, peers, problems);
    peers(section, "icmpPeers", false, peers, problems);
    List<Integer> sizes = new ArrayList<>();
    JsonNode sizesNode = section.path("sizes");
    if (sizesNode.isMissingNode()) {
      sizes.addAll(MtuProbeSettings.DEFAULT_SIZES);
    } else if (!sizesNode.isArray() || sizesNode.isEmpty()) {
      problems.add("sizes: must be a list of payload sizes in bytes, e.g. [1472, 8972]");
    } else {
      for (int i = 0; i < sizesNode.size(); i++) {
        JsonNode size = sizesNode.get(i);
        if (!size.canConvertToInt()
            || !size.isIntegralNumber()
            || size.asInt() < EchoProtocol.HEADER_BYTES
            || size.asInt() > EchoProtocol.MAX_BYTES) {
          problems.add(
              "sizes["
                  + i
                  + "]: must be an integer from "
                  + EchoProtocol.HEADER_BYTES
                  + " to "
                  + EchoProtocol.MAX_BYTES);
        } else {
          sizes.add(size.asInt());
        }
      }
    }
    Duration interval = duration(section, "interval", "30s", problems);
    Duration timeout = duration(section, "timeout", "1s", problems);
    int attempts = integer(section, "attempts", 2, 1, 100, problems);
    double rate = number(section, "ratePerPeer", 20, problems);
    int maxInFlight = integer(section, "maxInFlight", 16, 1, 1024, problems);
    String name = text(section, "name", null, problems);
    String ping = text(section, "pingCommand", "ping", problems);
    if (!problems.isEmpty()) {
      return null;
    }
    return new MtuConfig(
        agent,
        agentPort,
        agentBind,
        List.copyOf(peers),
        new MtuProbeSettings(sizes, timeout, attempts, rate, maxInFlight, ping),
        interval,
        name);
  }

  private static void peers(
      JsonNode section, String key, boolean udp, List<MtuPeer> peers, List<String> problems) {
    JsonNode node = section.path(key);
    if (node.isMissingNode()) {
      return;
    }
    if (!node.isArray()) {
      problems.add(key + ": must be a list of " + (udp ? "HOST:PORT" : "hosts"));
      return;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode peer = node.get(i);
      if (!peer.isTextual()) {
        problems.add(key + "[" + i + "]: must be a string");
        continue;
      }
      try {
        peers.add(MtuPeer.parse(peer.asText(), udp));
      } catch (IllegalArgumentException e) {
        problems.add(key + "[" + i + "]: " + e.getMessage());
      }
    }
  }

  private static boolean bool(
      JsonNode section, String key, boolean fallback, List<String> problems) {
    JsonNode node = section.path(key);
    if (node.isMissingNode()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      problems.add(key + ": must be true or false");
      return fallback;
    }
    return node.asBoolean();
  }

  private static int integer(
      JsonNode section, String key, int fallback, int min, int max, List<String> problems) {
    JsonNode node = section.path(key);
    if (node.isMissingNode()) {
      return fallback;
    }
    if (!node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.asInt() < min
        || node.asInt() > max) {
      problems.add(key + ": must be an integer from " + min + " to " + max);
      return fallback;
    }
    return node.asInt();
  }

  private static double number(
      JsonNode section, String key, double fallback, List<String> problems) {
    JsonNode node = section.path(key);
    if (node.isMissingNode()) {
      return fallback;
    }
    if (!node.isNumber() || !(node.asDouble() > 0)) {
      problems.add(key + ": must be a number above 0");
      return fallback;
    }
    return node.asDouble();
  }

  private static String text(JsonNode section, String key, String fallback, List<String> problems) {
    JsonNode node = section.path(key);
    if (node.isMissingNode()) {
      return fallback;
    }
    if (!node.isTextual() || node.asText().isBlank()) {
      problems.add(key + ": must be a non-empty string");
      return fallback;
    }
    return node.asText();
  }

  private static Duration duration(
      JsonNode section, String key, String fallback, List<String> problems) {
    String value = text(section, key, fallback, problems);
    try {
      Duration duration = Durations.parse(value);
      if (duration.isZero()) {
        problems.add(key + ": must be above 0");
      }
      return duration;
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
      return Duration.ofSeconds(1);
    }
  }
}
