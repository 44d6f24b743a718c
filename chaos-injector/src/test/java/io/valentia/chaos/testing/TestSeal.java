package io.valentia.chaos.testing;

import io.valentia.chaos.safety.ControlSeal;
import io.valentia.eventbus.security.PlatformKey;
import java.nio.file.Path;

/**
 * The platform key of this module's tests, shared by every test JVM and the processes they start
 * (it lives under {@code target/}), so that what one seals another accepts.
 */
public final class TestSeal {
  /** The data directory whose platform key the tests use (for commands' {@code --data-dir}). */
  public static final Path DATA_DIR = Path.of("target", "test-platform").toAbsolutePath();

  /** The seal every test injector, table and broadcast uses. */
  public static final ControlSeal SEAL = new ControlSeal(PlatformKey.loadOrCreate(DATA_DIR));

  /** Who the tests act as: the platform. */
  public static final ControlSeal.Sender SENDER = ControlSeal.Sender.platform("test");

  private TestSeal() {}
}
