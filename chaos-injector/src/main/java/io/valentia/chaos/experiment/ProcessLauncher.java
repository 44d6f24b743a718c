package io.valentia.chaos.experiment;

import io.valentia.chaos.safety.ProviderPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the command of an allowed process: without a shell, with a clean environment ({@link
 * #PATH} and the activity's {@code env}; nothing of the injector's, so no inherited secrets) and,
 * when the injector runs as root, as the configured user through {@code setpriv} (no supplementary
 * groups, no new privileges). Thread-safe.
 */
final class ProcessLauncher {
  /** The {@code PATH} a process gets unless its {@code env} says otherwise. */
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final List<String> SETPRIV =
      List.of("/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv", "/sbin/setpriv");

  private final ProviderPolicy policy;
  private final boolean root;

  ProcessLauncher(ProviderPolicy policy) {
    this(policy, uid() == 0);
  }

  ProcessLauncher(ProviderPolicy policy, boolean root) {
    this.policy = policy;
    this.root = root;
  }

  /**
   * A builder for {@code path} with {@code arguments}.
   *
   * @param extra variables set after the activity's (e.g. a tolerance probe's value)
   * @throws ActivityFailedException when the configured user cannot be switched to
   */
  ProcessBuilder builder(
      String path, List<String> arguments, Map<String, String> env, Map<String, String> extra) {
    List<String> argv = new ArrayList<>();
    String user = policy.processUser();
    if (root && !user.equals("root") && !user.equals("0")) {
      String setpriv =
          SETPRIV.stream()
              .filter(p -> Files.isExecutable(Path.of(p)))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ActivityFailedException(
                          "cannot run "
                              + path
                              + " as "
                              + user
                              + " (chaos.processUser): setpriv (util-linux) is not installed"));
      long[] ids =
          ids(user)
              .orElseThrow(
                  () ->
                      new ActivityFailedException(
                          "cannot run "
                              + path
                              + ": no user "
                              + user
                              + " on this machine (chaos.processUser)"));
      argv.addAll(
          List.of(
              setpriv,
              "--reuid=" + ids[0],
              "--regid=" + ids[1],
              "--clear-groups",
              "--no-new-privs",
              "--"));
    }
    argv.add(path);
    argv.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(argv);
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("PATH", PATH);
    environment.putAll(env);
    environment.putAll(extra);
    builder.directory(Path.of("/").toFile());
    return builder;
  }

  /** The uid and gid of {@code user} (a name or a numeric uid), from the passwd database. */
  static Optional<long[]> ids(String user) {
    List<String> lines = new ArrayList<>();
    try {
      java.lang.Process getent =
          new ProcessBuilder("/usr/bin/getent", "passwd", user).redirectErrorStream(true).start();
      String out = new String(getent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (getent.waitFor() == 0) {
        lines.addAll(out.lines().toList());
      }
    } catch (IOException e) {
      // no getent: read the file
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    if (lines.isEmpty()) {
      try {
        lines.addAll(Files.readAllLines(Path.of("/etc/passwd")));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    for (String line : lines) {
      String[] f = line.split(":");
      if (f.length >= 4 && (f[0].equals(user) || f[2].equals(user))) {
        try {
          return Optional.of(new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    if (user.matches("[0-9]+")) {
      return Optional.of(new long[] {Long.parseLong(user), Long.parseLong(user)});
    }
    return Optional.empty();
  }

  private static long uid() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return ((Number) uid).longValue();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
