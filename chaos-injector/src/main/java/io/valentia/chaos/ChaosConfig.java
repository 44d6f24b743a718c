package io.valentia.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.safety.ProviderAllowList;
import io.valentia.chaos.safety.ProviderPolicy;
import io.valentia.chaos.safety.SafetyPolicy;
import io.valentia.chaos.safety.TargetAllowList;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

  private static final Field<JsonNode> ALLOW =
      Field.node("allow").withDescription("targets, executables and URLs faults may touch");
  private static final Field<String> PROCESS_USER =
      Field.string("processUser")
          .validateAll(
              u -> u.matches("[a-z_][a-z0-9_.-]*\\$?|[0-9]+"),
              node -> "must be a user name or a numeric uid, found " + node)
          .withDescription("processes run as this user when the injector runs as root");
  private static final Field<Duration> PROVIDER_TIMEOUT =
      duration("providerTimeout", false)
          .withDescription("limit of a process or http call whose activity sets none");
  private static final Field<Integer> MAX_CONCURRENT_FAULTS =
      Field.integer("maxConcurrentFaults")
          .validateAll(n -> n >= 1, node -> "must be a positive integer, found " + node)
          .withDescription("blast radius: faults active at once");
  private static final Field<Duration> MAX_FAULT_DURATION =
      duration("maxFaultDuration", false).withDescription("the longest one fault may last");
  private static final Field<Duration> STEADY_STATE_INTERVAL =
      duration("steadyStateInterval", true)
          .withDefault(Duration.ofSeconds(5))
          .withDescription("how often the hypothesis is checked during the method; 0 = never");
  private static final Field<Duration> CONTROL_LEASE =
      duration("controlLease", false)
          .withDefault(Duration.ofSeconds(30))
          .withDescription("revert everything after this long without valentia.control");
  private static final Field<String> SCHEDULE_GROUP_FIELD =
      Field.string("scheduleGroup")
          .withDefault(SCHEDULE_GROUP)
          .validateAll(
              g -> !g.isBlank(), node -> "must be a Kafka consumer group name, found " + node)
          .withDescription("injectors in one group share schedules; one leads");
  private static final Field<Duration> LEADER_SESSION_TIMEOUT =
      duration("leaderSessionTimeout", false)
          .withDefault(Duration.ofSeconds(10))
          .validate(
              d ->
                  d.compareTo(Duration.ofSeconds(6)) >= 0
                      && d.compareTo(Duration.ofMinutes(5)) <= 0,
              node -> "must be between 6s and 5m (Kafka's session limits), found " + node)
          .withDescription("how long a crashed schedule leader keeps the lead");
  private static final List<Field<?>> FIELDS =
      List.of(
          ALLOW,
          MAX_CONCURRENT_FAULTS,
          MAX_FAULT_DURATION,
          STEADY_STATE_INTERVAL,
          CONTROL_LEASE,
          SCHEDULE_GROUP_FIELD,
          LEADER_SESSION_TIMEOUT,
          PROCESS_USER,
          PROVIDER_TIMEOUT);

  private static Field<Duration> duration(String name, boolean zeroOk) {
    return Field.duration(name)
        .validateAll(
            d -> zeroOk || !d.isZero(),
            node ->
                "must be a " + (zeroOk ? "" : "positive ") + "duration such as 30s, found " + node);
  }

  /** The defaults: nothing allowed. */
  public static ChaosConfig defaults() {
    return new ChaosConfig(SafetyPolicy.closed(), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  /**
   * Reads a section, reporting every bad key at once.
   *
   * @throws ConfigException with one problem per bad key ({@code key: message})
   */
  public static ChaosConfig read(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    ChaosConfig config = read(reader);
    reader.throwIfProblems("bad chaos configuration");
    return config;
  }

  /** Reads a section; problems go to {@code problems}, each naming its key. */
  public static ChaosConfig read(JsonNode section, List<String> problems) {
    ConfigSection reader = ConfigSection.of(section);
    ChaosConfig config = read(reader);
    problems.addAll(reader.problemLines());
    return config;
  }

  private static ChaosConfig read(ConfigSection section) {
    ChaosConfig defaults = defaults();
    if (section.isAbsent() || !section.isMapping("must be a mapping")) {
      return defaults;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    ConfigSection allowSection = section.section(ALLOW.name());
    TargetAllowList allow = TargetAllowList.read(allowSection);
    ProviderAllowList providers = ProviderAllowList.read(allowSection);
    ProviderPolicy providerDefaults = defaults.policy().providers();
    return new ChaosConfig(
        new SafetyPolicy(
            allow,
            section.get(MAX_CONCURRENT_FAULTS.withDefault(defaults.policy().maxConcurrentFaults())),
            section.get(MAX_FAULT_DURATION.withDefault(defaults.policy().maxFaultDuration())),
            new ProviderPolicy(
                providers,
                section.get(PROCESS_USER.withDefault(providerDefaults.processUser())),
                section.get(PROVIDER_TIMEOUT.withDefault(providerDefaults.timeout())))),
        section.get(STEADY_STATE_INTERVAL),
        section.get(CONTROL_LEASE),
        section.get(SCHEDULE_GROUP_FIELD),
        section.get(LEADER_SESSION_TIMEOUT));
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
