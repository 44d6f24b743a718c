package io.valentia.chaos.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs one picocli command (a probe, the experiment command) as a process of its own, the way the
 * {@code valentia} launcher would, for tests that need it apart: to starve it, kill it, or run it
 * in a network namespace.
 */
public final class CommandMain {
  private CommandMain() {}

  /** {@code args[0]}: the command class; the rest: its arguments. */
  public static void main(String[] args) throws Exception {
    Object command = Class.forName(args[0]).getDeclaredConstructor().newInstance();
    System.exit(new CommandLine(command).execute(Arrays.copyOfRange(args, 1, args.length)));
  }

  /**
   * A new JVM with the test class path running {@code command}, its output in {@code log}.
   *
   * @param prefix run through this first (e.g. {@code ip netns exec NS}); empty for none
   */
  public static ProcessBuilder process(
      Path log, List<String> prefix, Class<?> command, String... args) {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    List<String> argv = new ArrayList<>(prefix);
    argv.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            classpath,
            CommandMain.class.getName(),
            command.getName()));
    argv.addAll(List.of(args));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
  }
}
