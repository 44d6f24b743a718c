package io.valentia.app;

import static org.awaitility.Awaitility.await;

import io.valentia.app.config.ConfigLoader;
import io.valentia.app.config.ServiceCatalog;
import io.valentia.app.config.ValentiaConfig;
import io.valentia.eventbus.kafka.KafkaSettings;
import io.valentia.eventbus.service.ValentiaService;
import io.valentia.web.testing.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One platform with every role of this build on its embedded broker, shared by the test classes of
 * this JVM that need a running platform but not a fresh one of their own (the pages, the metrics,
 * the OpenAPI document): the first of them starts it, and it stops when every test of the JVM has
 * run. A class gets it as a parameter of its {@code @BeforeAll} method with
 * {@code @ExtendWith(SharedPlatform.Resolver.class)}.
 *
 * <p>The tests sharing it tell their own data apart (a word, subject, title or token name made for
 * the run) and leave no fault active and no halt set. Its chaos allow-list names only the {@code
 * sleep} processes it started, one for each test that pauses one ({@link #sleeper}); a process that
 * the allow-list must refuse is the test's own.
 */
final class SharedPlatform implements AutoCloseable {
  /** The admin token the platform was started with. */
  static final String ADMIN = TestTokens.ADMIN;

  /** The allowed {@code sleep} processes, one for each test that pauses one. */
  enum Sleeper {
    DASHBOARD,
    METRICS,
    EXPERIMENTS_SHORT,
    EXPERIMENTS_LONG,
    HALT_COMMAND
  }

  private final Path dir;
  private final Map<Sleeper, Process> sleepers;
  private final Platform platform;

  private SharedPlatform(Path dir, Map<Sleeper, Process> sleepers, Platform platform) {
    this.dir = dir;
    this.sleepers = sleepers;
    this.platform = platform;
  }

  /** Resolves a {@code SharedPlatform} parameter to the JVM's one, starting it the first time. */
  static final class Resolver implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(SharedPlatform.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == SharedPlatform.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      // the root context's store: closed after the last test of this JVM
      return context
          .getRoot()
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(SharedPlatform.class, k -> start(), SharedPlatform.class);
    }
  }

  private static SharedPlatform start() {
    Map<Sleeper, Process> sleepers = new EnumMap<>(Sleeper.class);
    Path dir = null;
    try {
      dir = Files.createTempDirectory("valentia-shared-platform-");
      for (Sleeper sleeper : Sleeper.values()) {
        sleepers.put(sleeper, sleeping());
      }
      Path file = dir.resolve("valentia.yaml");
      Files.writeString(
          file,
          """
          chaos:
            allow:
              pids: [%s]
            steadyStateInterval: 500ms
            scheduleGroup: shared-platform-%s
          metrics:
            port: 0
          """
              .formatted(
                  sleepers.values().stream()
                      .map(p -> "\"" + p.pid() + "\"")
                      .collect(Collectors.joining(", ")),
                  UUID.randomUUID()));
      List<String> roles =
          ServiceCatalog.installed().services().stream().map(ValentiaService::role).toList();
      ValentiaConfig config =
          ConfigLoader.load(
              file,
              Map.of(),
              Map.of(
                  "data",
                  dir.resolve("platform").toString(),
                  "kafka.port",
                  0,
                  "http.port",
                  0,
                  "roles",
                  roles));
      Platform platform =
          Platform.start(
              config,
              Map.of("VALENTIA_ADMIN_TOKEN", ADMIN),
              new PrintStream(new ByteArrayOutputStream()));
      return new SharedPlatform(dir, sleepers, platform);
    } catch (IOException | RuntimeException e) {
      new SharedPlatform(dir, sleepers, null).close();
      throw new IllegalStateException("the shared platform did not start", e);
    }
  }

  /** A {@code sleep} process, once it sleeps. */
  private static Process sleeping() throws IOException {
    Process process = new ProcessBuilder("sleep", "3600").start();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> nameAndState(process.pid()), "(sleep) S"::equals);
    return process;
  }

  /** The name and state of {@code /proc/PID/stat}, e.g. {@code (sleep) S}. */
  private static String nameAndState(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.indexOf('('), stat.lastIndexOf(')') + 3);
    } catch (IOException e) {
      return "gone";
    }
  }

  /** The platform. */
  Platform platform() {
    return platform;
  }

  /** Its web address, e.g. {@code http://127.0.0.1:41234}. */
  String base() {
    return "http://127.0.0.1:" + platform.httpPort();
  }

  /** Its data directory (where the embedded broker keeps the credentials of its clients). */
  Path data() {
    return dir.resolve("platform");
  }

  /** Settings for a client of its embedded broker, signed in as the admin principal. */
  KafkaSettings kafka() {
    return KafkaSettings.local(platform.bootstrapServers())
        .withClientProperties(PlatformKafka.security(data()));
  }

  /** The allowed {@code sleep} process set aside for {@code use}. */
  Process sleeper(Sleeper use) {
    return sleepers.get(use);
  }

  @Override
  public void close() {
    if (platform != null) {
      platform.close();
    }
    for (Process sleeper : sleepers.values()) {
      try {
        // a paused process takes SIGKILL too, but continue it first as a test would
        new ProcessBuilder("kill", "-CONT", Long.toString(sleeper.pid())).start().waitFor();
        sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      } catch (IOException e) {
        sleeper.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (dir != null) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is not a test failure
      }
    }
  }
}
