package io.valentia.chaos.cli;

import io.valentia.eventbus.cli.KafkaOptions;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.security.KafkaRole;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;

/**
 * How a chaos command reaches Kafka and signs what it writes there: the platform options of {@link
 * KafkaOptions} ({@code --kafka}, {@code --kafka-config}, {@code --data-dir}), signed in as the
 * chaos principal.
 */
public final class Connection {
  @Mixin KafkaOptions kafka;

  public String bootstrap() {
    return kafka.bootstrap();
  }

  /** {@link #bootstrap()} and where it came from, for messages. */
  public String described() {
    return kafka.described();
  }

  /** Settings with short timeouts, fit for a command line, signed in as the chaos principal. */
  public KafkaSettings settings() {
    return kafka.settings(KafkaRole.CHAOS);
  }

  /** The platform's data directory: {@code --data-dir}, else {@code VALENTIA_DATA}, else ./data. */
  public Path dataDir() {
    return kafka.dataDir();
  }

  /**
   * The seal of this machine's platform (its key in {@code DATA/secrets/platform.key}): what a
   * command's halts and schedules are signed with, and a command-line injector checks halts by.
   *
   * @throws io.valentia.eventbus.ValentiaException when the data directory has no platform key
   */
  public io.valentia.chaos.safety.ControlSeal seal() {
    return new io.valentia.chaos.safety.ControlSeal(
        io.valentia.eventbus.security.PlatformKey.find(dataDir())
            .orElseThrow(
                () ->
                    new io.valentia.eventbus.ValentiaException(
                        "no platform key in "
                            + io.valentia.eventbus.security.PlatformKey.file(dataDir())
                            + ": a command writes to Kafka only on the platform's machine (name its"
                            + " data directory with --data-dir or VALENTIA_DATA); elsewhere go"
                            + " through the platform's API (--url, --token)")));
  }

  /** Who a command acts as: {@code cli:USER@HOST}, with the platform's authority. */
  public static io.valentia.chaos.safety.ControlSeal.Sender sender() {
    return io.valentia.chaos.safety.ControlSeal.Sender.platform(
        "cli:" + System.getProperty("user.name", "unknown") + "@" + ExperimentCommand.hostname());
  }

  /** Whether Kafka answers within {@code timeout}. */
  public boolean reachable(Duration timeout) {
    return kafka.answers(timeout, KafkaRole.CHAOS);
  }

  static Duration quick() {
    return Duration.ofSeconds(5);
  }
}
