package io.valentia.chaos.state;

import io.valentia.chaos.schedule.Scheduler;
import io.valentia.eventbus.payload.ExperimentScheduled;
import java.util.List;

/**
 * One entry of {@code valentia.state.schedules}, the standing state of the commands on {@code
 * valentia.control}. Exactly one component is set, according to the key:
 *
 * <ul>
 *   <li>{@code schedule/ID}: {@code schedule}, the schedule with its experiment, written by whoever
 *       adds or changes it (the API, the CLI); a tombstone removes it;
 *   <li>{@code fired/ID}: {@code firings}, the schedule's latest firings (newest last, up to its
 *       history limit), written only by the injector that leads the schedules, before the run
 *       starts;
 *   <li>{@code halt}: {@code halt}, the halt switch.
 * </ul>
 *
 * A schedule's definition and its firings have keys of their own because different processes write
 * them: one key with both would let a firing written by the leader overwrite a change made at the
 * same moment through the API.
 *
 * @param schedule the schedule record; null on other keys
 * @param firings the latest firings; null on other keys
 * @param halt the halt switch; null on other keys
 * @param seal who wrote a schedule or the halt switch, signed with the platform key (see {@code
 *     ControlSeal}); null on firings, and on entries no one signed (which injectors refuse)
 */
public record ControlState(
    ExperimentScheduled schedule, List<Scheduler.Firing> firings, HaltState halt, Seal seal) {

  /**
   * Who wrote an entry, as the process that wrote it vouches with the platform key.
   *
   * @param principal who asked (a user, a token's name, {@code cli:USER@HOST})
   * @param role their role ({@code operator}, {@code admin}, ...; {@code platform} for the platform
   *     itself and for whoever holds its key)
   * @param signature HMAC-SHA256 over the key, the principal, the role and the entry
   */
  public record Seal(String principal, String role, String signature) {}

  /** This entry without its seal: what the seal signs. */
  public ControlState unsealed() {
    return seal == null ? this : new ControlState(schedule, firings, halt, null);
  }

  /** This entry with {@code seal}. */
  public ControlState sealed(Seal seal) {
    return new ControlState(schedule, firings, halt, seal);
  }

  /** The key of halt switch. */
  public static final String HALT = "halt";

  private static final String SCHEDULE = "schedule/";
  private static final String FIRED = "fired/";

  /** The key of a schedule's definition (the same key as its records on valentia.control). */
  public static String scheduleKey(String id) {
    return SCHEDULE + id;
  }

  /** The key of a schedule's latest firings. */
  public static String firedKey(String id) {
    return FIRED + id;
  }

  /** The schedule id of a {@code schedule/ID} key; null for other keys. */
  public static String scheduleIdOf(String key) {
    return key.startsWith(SCHEDULE) ? key.substring(SCHEDULE.length()) : null;
  }

  /** The schedule id of a {@code fired/ID} key; null for other keys. */
  public static String firedIdOf(String key) {
    return key.startsWith(FIRED) ? key.substring(FIRED.length()) : null;
  }

  public static ControlState of(ExperimentScheduled schedule) {
    return new ControlState(schedule, null, null, null);
  }

  public static ControlState of(List<Scheduler.Firing> firings) {
    return new ControlState(null, List.copyOf(firings), null, null);
  }

  public static ControlState of(HaltState halt) {
    return new ControlState(null, null, halt, null);
  }
}
