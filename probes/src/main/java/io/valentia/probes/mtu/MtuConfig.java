package io.valentia.probes.mtu;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

  private static final Field<Boolean> ENABLED = Field.bool("enabled").withDefault(true);
  private static final Field<Boolean> AGENT =
      Field.bool("agent").withDefault(true).withDescription("run the UDP echo agent on this host");
  private static final Field<Integer> AGENT_PORT =
      integer("agentPort", MtuEchoCommand.DEFAULT_PORT, 0, 65_535)
          .withDescription("the echo agent's UDP port");
  private static final Field<String> AGENT_BIND =
      text("agentBind", "0.0.0.0").withDescription("the address the echo agent binds");
  private static final Field<JsonNode> PEERS =
      Field.node("peers").withDescription("UDP peers (their agents), HOST:PORT");
  private static final Field<JsonNode> ICMP_PEERS =
      Field.node("icmpPeers").withDescription("peers without an agent: system ping -M do");
  private static final Field<JsonNode> SIZES =
      Field.node("sizes").withDescription("payload sizes in bytes");
  private static final Field<Duration> INTERVAL =
      positive("interval", Duration.ofSeconds(30)).withDescription("how often peers are probed");
  private static final Field<Duration> TIMEOUT =
      positive("timeout", Duration.ofSeconds(1)).withDescription("how long one answer may take");
  private static final Field<Integer> ATTEMPTS =
      integer("attempts", 2, 1, 100).withDescription("tries per size before it is lost");
  private static final Field<Double> RATE_PER_PEER =
      Field.number("ratePerPeer")
          .withDefault(20.0)
          .validateAll(r -> r > 0, node -> "must be a number above 0")
          .withDescription("requests per second to one peer");
  private static final Field<Integer> MAX_IN_FLIGHT =
      integer("maxInFlight", 16, 1, 1024).withDescription("requests awaiting an answer at once");
  private static final Field<String> NAME =
      text("name", null).withDescription("this host in events; null for the host name");
  private static final Field<String> PING_COMMAND =
      text("pingCommand", "ping").withDescription("the system ping for icmpPeers");
  private static final List<Field<?>> FIELDS =
      List.of(
          ENABLED,
          AGENT,
          AGENT_PORT,
          AGENT_BIND,
          PEERS,
          ICMP_PEERS,
          SIZES,
          INTERVAL,
          TIMEOUT,
          ATTEMPTS,
          RATE_PER_PEER,
          MAX_IN_FLIGHT,
          NAME,
          PING_COMMAND);

  private static Field<Integer> integer(String name, int fallback, int min, int max) {
    return Field.integer(name)
        .withDefault(fallback)
        .validateAll(
            n -> n >= min && n <= max, node -> "must be an integer from " + min + " to " + max);
  }

  private static Field<String> text(String name, String fallback) {
    return Field.string(name)
        .withDefault(fallback)
        .validateAll(s -> !s.isBlank(), node -> "must be a non-empty string");
  }

  private static Field<Duration> positive(String name, Duration fallback) {
    return Field.duration(name).withDefault(fallback).validate(d -> !d.isZero(), "must be above 0");
  }

  /** Every problem of {@code section}, each naming its key; empty when it is fine. */
  public static List<String> check(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    read(reader);
    return reader.problemLines();
  }

  /**
   * Reads the section (a missing node gives the defaults).
   *
   * @throws ConfigException listing every problem
   */
  public static MtuConfig parse(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    MtuConfig config = read(reader);
    reader.throwIfProblems("bad probes.mtu configuration");
    return config;
  }

  private static MtuConfig read(ConfigSection section) {
    if (!section.node().isMissingNode() && !section.node().isObject()) {
      section.problem("", "must be a mapping");
      return null;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    section.get(ENABLED);
    List<MtuPeer> peers = new ArrayList<>();
    peers(section.section("peers"), true, peers);
    peers(section.section("icmpPeers"), false, peers);
    List<Integer> sizes = sizes(section.section("sizes"));
    boolean agent = section.get(AGENT);
    int agentPort = section.get(AGENT_PORT);
    String agentBind = section.get(AGENT_BIND);
    Duration timeout = section.get(TIMEOUT);
    int attempts = section.get(ATTEMPTS);
    double rate = section.get(RATE_PER_PEER);
    int maxInFlight = section.get(MAX_IN_FLIGHT);
    String ping = section.get(PING_COMMAND);
    Duration interval = section.get(INTERVAL);
    String name = section.get(NAME);
    if (!section.problems().isEmpty()) {
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

  private static void peers(ConfigSection list, boolean udp, List<MtuPeer> peers) {
    for (ConfigSection peer : list.items("must be a list of " + (udp ? "HOST:PORT" : "hosts"))) {
      if (!peer.node().isTextual()) {
        peer.problem("", "must be a string");
        continue;
      }
      try {
        peers.add(MtuPeer.parse(peer.node().asText(), udp));
      } catch (IllegalArgumentException e) {
        peer.problem("", e.getMessage());
      }
    }
  }

  private static List<Integer> sizes(ConfigSection list) {
    if (list.node().isMissingNode()) {
      return MtuProbeSettings.DEFAULT_SIZES;
    }
    if (!list.node().isArray() || list.node().isEmpty()) {
      list.problem("", "must be a list of payload sizes in bytes, e.g. [1472, 8972]");
      return List.of();
    }
    List<Integer> sizes = new ArrayList<>();
    for (ConfigSection size : list.items("")) {
      JsonNode node = size.node();
      if (!node.canConvertToInt()
          || !node.isIntegralNumber()
          || node.asInt() < EchoProtocol.HEADER_BYTES
          || node.asInt() > EchoProtocol.MAX_BYTES) {
        size.problem(
            "",
            "must be an integer from "
                + EchoProtocol.HEADER_BYTES
                + " to "
                + EchoProtocol.MAX_BYTES);
      } else {
        sizes.add(node.asInt());
      }
    }
    return sizes;
  }
}
