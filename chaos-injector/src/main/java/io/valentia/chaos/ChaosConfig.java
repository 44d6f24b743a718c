package io.valentia.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.experiment.Durations;
import io.valentia.chaos.safety.ProviderAllowList;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.chaos.safety.SafetyPolicy;
import io.valentia.chaos.safety.TargetAllowList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code chaos} section of the configuration:
 *
 * <pre>
 * chaos:
 *   allow:                      # targets faults may touch (glob patterns); nothing by default
 *     pids: ["*"]
 *     cgroups: [batch/*]
 *     namespaces: [chaos-*]
 *     interfaces: [veth*]
 *     hosts: [10.0.0.0/8]
 *     executables: [/usr/bin/curl]  # process providers may run these (absolute paths, exactly);
 *                                   # nothing by default; a shell runs only when it is listed
 *     urls: [http://localhost:9090/api/]  # http providers may call URLs under these prefixes
 *   processUser: nobody         # processes run as this user when the injector runs as root
 *   providerTimeout: 30s        # limit of a process or http call whose activity sets none
 *   maxConcurrentFaults: 5      # blast radius: faults active at once
 *   maxFaultDuration: 1h        # the longest one fault may last
 *   steadyStateInterval: 5s     # how often the hypothesis is checked during the method; 0 = never
 *   controlLease: 30s           # dead-man switch: revert everything after this long without valentia.control
 *   scheduleGroup: valentia-chaos-scheduler  # injectors in one group share schedules; one leads
 *   leaderSessionTimeout: 10s   # how long a crashed schedule leader keeps the lead (6s-5m)
 * </pre>
 *
 * @param policy allow-list and blast radius
 * @param steadyStateInterval zero for never
 * @param controlLease the dead-man switch's lease
 * @param scheduleGroup the Kafka consumer group whose member holding partition 0 of
 *     valentia.control fires the schedules
 * @param leaderSessionTimeout how long a crashed schedule leader keeps the lead
 */
public record ChaosConfig(
    SafetyPolicy policy,
    Duration steadyStateInterval,
    Duration controlLease,
    String scheduleGroup,
    Duration leaderSessionTimeout) {
  /** The default consumer group of schedule leadership. */
  public static final String SCHEDULE_GROUP = "valentia-chaos-scheduler";

  /** A configuration with the default schedule leadership. */
  public ChaosConfig(SafetyPolicy policy, Duration steadyStateInterval, Duration controlLease) {
    this(policy, steadyStateInterval, controlLease, SCHEDULE_GROUP, Duration.ofSeconds(10));
  }

  private static final Set<String> KEYS =
      Set.of(
          "allow",
          "maxConcurrentFaults",
          "maxFaultDuration",
          "steadyStateInterval",
          "controlLease",
          "scheduleGroup",
          "leaderSessionTimeout",
          "processUser",
          "providerTimeout");

  /** The defaults: nothing allowed. */
  public static ChaosConfig defaults() {
    return new ChaosConfig(SafetyPolicy.closed(), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  /**
   * Reads a section, reporting every bad key at once.
   *
   * @throws IllegalArgumentException with one line per problem ({@code key: message})
   */
  public static ChaosConfig read(JsonNode section) {
    List<String> problems = new ArrayList<>();
    ChaosConfig config = read(section, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return config;
  }

  /** Reads a section; problems go to {@code problems}, each naming its key. */
  public static ChaosConfig read(JsonNode section, List<String> problems) {
    ChaosConfig defaults = defaults();
    if (section == null || section.isMissingNode() || section.isNull()) {
      return defaults;
    }
    if (!section.isObject()) {
      problems.add("must be a mapping");
      return defaults;
    }
    section
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYS.contains(k)) {
                problems.add(
                    k
                        + ": unknown key (known: "
                        + String.join(", ", KEYS.stream().sorted().toList())
                        + ")");
              }
            });
    List<String> allowProblems = new ArrayList<>();
    TargetAllowList allow = TargetAllowList.read(section.path("allow"), allowProblems);
    ProviderAllowList providers = ProviderAllowList.read(section.path("allow"), allowProblems);
    allowProblems.forEach(p -> problems.add("allow." + p));
    String user = defaults.policy().providers().processUser();
    JsonNode u = section.path("processUser");
    if (!u.isMissingNode()) {
      if (!u.isTextual() || !u.asText().matches("[a-z_][a-z0-9_.-]*\\$?|[0-9]+")) {
        problems.add("processUser: must be a user name or a numeric uid, found " + u);
      } else {
        user = u.asText();
      }
    }
    Duration providerTimeout =
        duration(
            section, "providerTimeout", defaults.policy().providers().timeout(), false, problems);
    int max = defaults.policy().maxConcurrentFaults();
    JsonNode m = section.path("maxConcurrentFaults");
    if (!m.isMissingNode()) {
      if (!m.canConvertToInt() || !m.isIntegralNumber() || m.asInt() < 1) {
        problems.add("maxConcurrentFaults: must be a positive integer, found " + m);
      } else {
        max = m.asInt();
      }
    }
    Duration maxDuration =
        duration(
            section, "maxFaultDuration", defaults.policy().maxFaultDuration(), false, problems);
    Duration interval =
        duration(section, "steadyStateInterval", defaults.steadyStateInterval(), true, problems);
    Duration lease = duration(section, "controlLease", defaults.controlLease(), false, problems);
    String group = defaults.scheduleGroup();
    JsonNode g = section.path("scheduleGroup");
    if (!g.isMissingNode()) {
      if (!g.isTextual() || g.asText().isBlank()) {
        problems.add("scheduleGroup: must be a Kafka consumer group name, found " + g);
      } else {
        group = g.asText();
      }
    }
    Duration session =
        duration(section, "leaderSessionTimeout", defaults.leaderSessionTimeout(), false, problems);
    if (session.compareTo(Duration.ofSeconds(6)) < 0
        || session.compareTo(Duration.ofMinutes(5)) > 0) {
      problems.add(
          "leaderSessionTimeout: must be between 6s and 5m (Kafka's session limits), found "
              + section.path("leaderSessionTimeout"));
      session = defaults.leaderSessionTimeout();
    }
    return new ChaosConfig(
        new SafetyPolicy(
            allow, max, maxDuration, new ProviderPolicy(providers, user, providerTimeout)),
        interval,
        lease,
        group,
        session);
  }

  private static Duration duration(
      JsonNode section, String key, Duration fallback, boolean zeroOk, List<String> problems) {
    JsonNode value = section.path(key);
    if (value.isMissingNode()) {
      return fallback;
    }
    var parsed = Durations.parse(value);
    if (parsed.isEmpty() || (!zeroOk && parsed.get().isZero())) {
      problems.add(
          key
              + ": must be a "
              + (zeroOk ? "" : "positive ")
              + "duration such as 30s, found "
              + value);
      return fallback;
    }
    return parsed.get();
  }

  /**
   * A copy with more allowed targets, executables and URL prefixes (the command line's {@code
   * --allow kind=pattern}), by configuration key ({@code pids}, ..., {@code executables}, {@code
   * urls}).
   *
   * @throws IllegalArgumentException when an executable or URL prefix is not well formed
   */
  public ChaosConfig allowing(java.util.Map<String, List<String>> more) {
    java.util.Map<String, List<String>> merged = new java.util.LinkedHashMap<>();
    policy.allowList().patterns().forEach((k, v) -> merged.put(k, new ArrayList<>(v)));
    more.forEach(
        (k, v) -> {
          if (!ProviderAllowList.KEYS.contains(k)) {
            merged.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v);
          }
        });
    ProviderPolicy providers = policy.providers();
    ProviderAllowList list =
        providers
            .allowList()
            .with(
                more.getOrDefault(ProviderAllowList.EXECUTABLES, List.of()),
                more.getOrDefault(ProviderAllowList.URLS, List.of()));
    return new ChaosConfig(
        new SafetyPolicy(
            new TargetAllowList(merged),
            policy.maxConcurrentFaults(),
            policy.maxFaultDuration(),
            providers.withAllowList(list)),
        steadyStateInterval,
        controlLease,
        scheduleGroup,
        leaderSessionTimeout);
  }
}
