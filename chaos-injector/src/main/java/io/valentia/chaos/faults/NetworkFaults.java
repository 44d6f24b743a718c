package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Substitution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network faults with nftables: random loss and partitions, each in a table of its own ({@code inet
 * valentia_chaos_N}) that revert deletes whole, inside a network namespace or on this host; and MTU
 * changes with {@code ip link set mtu}.
 */
final class NetworkFaults {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern ADDRESS = Pattern.compile("[0-9a-fA-F:.]+(/\\d{1,3})?");
  private static final java.util.concurrent.atomic.AtomicLong TABLES =
      new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis() % 1_000_000);

  private NetworkFaults() {}

  private static List<String> inNamespace(String namespace, List<String> argv) {
    if (namespace == null) {
      return argv;
    }
    List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    out.addAll(argv);
    return out;
  }

  private static List<Target> placeTargets(Arguments arguments, String iface) {
    List<Target> targets = new ArrayList<>();
    String namespace = arguments.optionalString("namespace", null);
    if (namespace != null) {
      if (!NAME.matcher(namespace).matches() && !Substitution.hasPlaceholder(namespace)) {
        arguments.problem("namespace: not a network namespace name: " + namespace);
      }
      targets.add(new Target("namespace", namespace));
    }
    if (iface != null) {
      if (!NAME.matcher(iface).matches() && !Substitution.hasPlaceholder(iface)) {
        arguments.problem("interface: not an interface name: " + iface);
      }
      targets.add(new Target("interface", iface));
    }
    if (targets.isEmpty()) {
      arguments.problem(
          "name a namespace or an interface (a fault on every interface of this host is refused)");
    }
    return targets;
  }

  /** Applies an nftables ruleset in a new table and returns the revert that deletes the table. */
  private static Fault.Revert applyTable(String namespace, String body, Fault.UndoJournal journal)
      throws FaultException {
    String table = "valentia_chaos_" + TABLES.incrementAndGet();
    String ruleset = "table inet " + table + " {\n" + body + "}\n";
    var undo = Undo.steps().add(Undo.nftTable(namespace, table));
    journal.record(undo);
    HostCommand.Result result =
        HostCommand.run(
            inNamespace(namespace, List.of("nft", "-f", "-")), ruleset, Duration.ofSeconds(10));
    if (!result.ok()) {
      throw new FaultException("nft refused the rules: " + result.message());
    }
    return () -> Undo.run(undo);
  }

  private static String interfaceMatch(String hook, String iface) {
    if (iface == null) {
      return "";
    }
    return (hook.equals("input") ? "iifname " : "oifname ") + "\"" + iface + "\" ";
  }

  /** {@code network-loss}: drops a random share of packets. */
  static final class Loss implements Fault {
    @Override
    public String name() {
      return "network-loss";
    }

    @Override
    public String summary() {
      return "drop a random share of packets with nftables; args: namespace and/or interface,"
          + " percent (1-100), direction (ingress, egress, both; default both)";
    }

    @Override
    public List<Target> targets(Arguments arguments) {
      arguments.onlyKnown(Set.of("namespace", "interface", "percent", "direction", "duration"));
      long percent = arguments.optionalInteger("percent", -1);
      if (!arguments.has("percent")) {
        arguments.problem("percent: required (1-100)");
      } else if ((percent < 1 || percent > 100) && percent != -1) {
        arguments.problem("percent: must be between 1 and 100");
      }
      direction(arguments);
      return placeTargets(arguments, arguments.optionalString("interface", null));
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration) throws FaultException {
      return inject(arguments, duration, undo -> {});
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
        throws FaultException {
      long percent = arguments.optionalInteger("percent", 100);
      String iface = arguments.optionalString("interface", null);
      StringBuilder body = new StringBuilder();
      for (String hook : hooks(direction(arguments))) {
        body.append("  chain ")
            .append(hook)
            .append(" {\n    type filter hook ")
            .append(hook)
            .append(" priority -10; policy accept;\n    ")
            .append(interfaceMatch(hook, iface))
            .append(percent >= 100 ? "" : "numgen random mod 100 < " + percent + " ")
            .append("counter drop\n  }\n");
      }
      return applyTable(arguments.optionalString("namespace", null), body.toString(), journal);
    }
  }

  /** {@code network-partition}: drops all traffic to and from some addresses (or all of it). */
  static final class Partition implements Fault {
    @Override
    public String name() {
      return "network-partition";
    }

    @Override
    public String summary() {
      return "drop all traffic to and from peers (addresses or CIDRs; all traffic when none) with"
          + " nftables; args: namespace and/or interface, peers, direction";
    }

    @Override
    public List<Target> targets(Arguments arguments) {
      arguments.onlyKnown(Set.of("namespace", "interface", "peers", "direction", "duration"));
      List<Target> targets = placeTargets(arguments, arguments.optionalString("interface", null));
      for (String peer : arguments.strings("peers")) {
        if (!ADDRESS.matcher(peer).matches() && !Substitution.hasPlaceholder(peer)) {
          arguments.problem("peers: not an address or CIDR: " + peer);
        }
        targets.add(new Target("host", peer));
      }
      direction(arguments);
      return targets;
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration) throws FaultException {
      return inject(arguments, duration, undo -> {});
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
        throws FaultException {
      String iface = arguments.optionalString("interface", null);
      List<String> v4 = new ArrayList<>();
      List<String> v6 = new ArrayList<>();
      for (String peer : arguments.strings("peers")) {
        (peer.contains(":") ? v6 : v4).add(peer);
      }
      StringBuilder body = new StringBuilder();
      for (String hook : hooks(direction(arguments))) {
        body.append("  chain ")
            .append(hook)
            .append(" {\n    type filter hook ")
            .append(hook)
            .append(" priority -10; policy accept;\n");
        String field = hook.equals("input") ? "saddr" : "daddr";
        if (v4.isEmpty() && v6.isEmpty()) {
          body.append("    ").append(interfaceMatch(hook, iface)).append("counter drop\n");
        }
        if (!v4.isEmpty()) {
          body.append("    ")
              .append(interfaceMatch(hook, iface))
              .append("ip ")
              .append(field)
              .append(" { ")
              .append(String.join(", ", v4))
              .append(" } counter drop\n");
        }
        if (!v6.isEmpty()) {
          body.append("    ")
              .append(interfaceMatch(hook, iface))
              .append("ip6 ")
              .append(field)
              .append(" { ")
              .append(String.join(", ", v6))
              .append(" } counter drop\n");
        }
        body.append("  }\n");
      }
      return applyTable(arguments.optionalString("namespace", null), body.toString(), journal);
    }
  }

  private static String direction(Arguments arguments) {
    String direction = arguments.optionalString("direction", "both");
    if (!Set.of("ingress", "egress", "both").contains(direction)
        && !Substitution.hasPlaceholder(direction)) {
      arguments.problem("direction: must be ingress, egress or both");
    }
    return direction;
  }

  private static List<String> hooks(String direction) {
    return switch (direction) {
      case "ingress" -> List.of("input");
      case "egress" -> List.of("output");
      default -> List.of("input", "output");
    };
  }

  /** {@code mtu}: changes an interface's MTU and puts the old one back. */
  static final class Mtu implements Fault {
    private static final Pattern MTU = Pattern.compile("\\bmtu (\\d+)");

    @Override
    public String name() {
      return "mtu";
    }

    @Override
    public String summary() {
      return "set an interface's MTU (ip link set mtu), then restore it; args: interface, mtu,"
          + " namespace (optional)";
    }

    @Override
    public List<Target> targets(Arguments arguments) {
      arguments.onlyKnown(Set.of("namespace", "interface", "mtu", "duration"));
      String iface = arguments.string("interface");
      long mtu = arguments.integer("mtu");
      if (arguments.has("mtu") && (mtu < 68 || mtu > 65535) && mtu != 0) {
        arguments.problem("mtu: must be between 68 and 65535");
      }
      return placeTargets(arguments, iface.isEmpty() ? null : iface);
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration) throws FaultException {
      return inject(arguments, duration, undo -> {});
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
        throws FaultException {
      String namespace = arguments.optionalString("namespace", null);
      String iface = arguments.string("interface");
      long mtu = arguments.integer("mtu");
      long previous = current(namespace, iface);
      var undo = Undo.steps().add(Undo.mtu(namespace, iface, previous));
      journal.record(undo);
      HostCommand.require(link(namespace, iface, mtu));
      return () -> Undo.run(undo);
    }

    static long current(String namespace, String iface) throws FaultException {
      List<String> argv = new ArrayList<>(List.of("ip"));
      if (namespace != null) {
        argv.addAll(List.of("-n", namespace));
      }
      argv.addAll(List.of("link", "show", "dev", iface));
      Matcher m = MTU.matcher(HostCommand.require(argv));
      if (!m.find()) {
        throw new FaultException("cannot read the MTU of " + iface);
      }
      return Long.parseLong(m.group(1));
    }

    private static List<String> link(String namespace, String iface, long mtu) {
      List<String> argv = new ArrayList<>(List.of("ip"));
      if (namespace != null) {
        argv.addAll(List.of("-n", namespace));
      }
      argv.addAll(List.of("link", "set", "dev", iface, "mtu", Long.toString(mtu)));
      return argv;
    }
  }
}
