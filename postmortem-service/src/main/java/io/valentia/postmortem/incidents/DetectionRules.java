package io.valentia.postmortem.incidents;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.config.ConfigException;
import io.valentia.eventbus.config.ConfigSection;
import io.valentia.eventbus.config.Field;
import io.valentia.eventbus.config.UnknownKeys;
import java.time.Duration;
import java.util.List;

/**
 * When the stream means an incident. Configuration ({@code postmortem.incidents}), with defaults:
 *
 * <pre>
 * incidents:
 *   enabled: true
 *   correlationWindowSeconds: 600   # related events this close join the same incident
 *   frameBursts: 3                  # dropped-frame bursts of one subject ...
 *   frameWindowSeconds: 60          # ... within this window open an incident
 *   killDenials: 5                  # KILL seccomp denials of one subject ...
 *   killWindowSeconds: 60           # ... within this window open an incident
 *   applicationId: valentia-incidents  # the Kafka Streams application (and consumer group) that
 *                                      # detects; distinct per platform sharing one Kafka cluster
 * </pre>
 *
 * An MTU mismatch, a lease revoked by a lessee crash and a chaos experiment that deviated each open
 * an incident on their own.
 *
 * @param enabled whether incidents are detected at all
 * @param correlationWindow how close in time related events must be to join one incident
 * @param frameBursts how many dropped-frame bursts of one subject open an incident
 * @param frameWindow the window for {@code frameBursts}
 * @param killDenials how many KILL syscall denials (summing their counts) open an incident
 * @param killWindow the window for {@code killDenials}
 */
public record DetectionRules(
    boolean enabled,
    Duration correlationWindow,
    int frameBursts,
    Duration frameWindow,
    int killDenials,
    Duration killWindow) {

  public static final DetectionRules DEFAULT =
      new DetectionRules(
          true, Duration.ofMinutes(10), 3, Duration.ofMinutes(1), 5, Duration.ofMinutes(1));

  private static final Field<Boolean> ENABLED =
      Field.bool("enabled")
          .withDefault(DEFAULT.enabled)
          .invalid(node -> "must be true or false, found " + node)
          .withDescription("whether incidents are detected at all");
  private static final Field<Long> CORRELATION_WINDOW_SECONDS =
      positive("correlationWindowSeconds", DEFAULT.correlationWindow.toSeconds(), 86_400)
          .withDescription("related events this close join the same incident");
  private static final Field<Long> FRAME_BURSTS =
      positive("frameBursts", DEFAULT.frameBursts, 10_000)
          .withDescription("dropped-frame bursts of one subject that open an incident");
  private static final Field<Long> FRAME_WINDOW_SECONDS =
      positive("frameWindowSeconds", DEFAULT.frameWindow.toSeconds(), 86_400)
          .withDescription("the window for frameBursts");
  private static final Field<Long> KILL_DENIALS =
      positive("killDenials", DEFAULT.killDenials, 1_000_000)
          .withDescription("KILL seccomp denials of one subject that open an incident");
  private static final Field<Long> KILL_WINDOW_SECONDS =
      positive("killWindowSeconds", DEFAULT.killWindow.toSeconds(), 86_400)
          .withDescription("the window for killDenials");
  private static final Field<String> APPLICATION_ID =
      Field.string("applicationId")
          .validateAll(
              id -> id.matches("[A-Za-z0-9._-]{1,200}"),
              node -> "must be letters, digits, '.', '_' or '-' (at most 200), found " + node)
          .withDescription("the Kafka Streams application (and consumer group) that detects");
  private static final List<Field<?>> FIELDS =
      List.of(
          ENABLED,
          CORRELATION_WINDOW_SECONDS,
          FRAME_BURSTS,
          FRAME_WINDOW_SECONDS,
          KILL_DENIALS,
          KILL_WINDOW_SECONDS,
          APPLICATION_ID);

  private static Field<Long> positive(String name, long fallback, long max) {
    return Field.longInteger(name)
        .withDefault(fallback)
        .validateAll(
            n -> n >= 1 && n <= max,
            node -> "must be an integer from 1 to " + max + ", found " + node);
  }

  /**
   * Reads the section over the defaults.
   *
   * @throws ConfigException listing every problem
   */
  public static DetectionRules parse(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    DetectionRules rules = read(reader);
    reader.throwIfProblems("bad postmortem.incidents configuration");
    return rules;
  }

  /** Every problem of the section, each naming its key. */
  public static List<String> check(JsonNode section) {
    ConfigSection reader = ConfigSection.of(section);
    read(reader);
    return reader.problemLines();
  }

  private static DetectionRules read(ConfigSection section) {
    if (section.isAbsent() || !section.isMapping("must be a mapping")) {
      return DEFAULT;
    }
    section.checkKeys(FIELDS, UnknownKeys.listingKnown());
    section.get(APPLICATION_ID);
    return new DetectionRules(
        section.get(ENABLED),
        Duration.ofSeconds(section.get(CORRELATION_WINDOW_SECONDS)),
        section.get(FRAME_BURSTS).intValue(),
        Duration.ofSeconds(section.get(FRAME_WINDOW_SECONDS)),
        section.get(KILL_DENIALS).intValue(),
        Duration.ofSeconds(section.get(KILL_WINDOW_SECONDS)));
  }
}
