package io.valentia.chaos.testing;

import io.valentia.chaos.cli.ExperimentCommand;
import picocli.CommandLine;

/** {@code valentia experiment ...} as a process of its own, for tests that kill it. */
public final class ExperimentCommandMain {
  private ExperimentCommandMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new ExperimentCommand()).execute(args));
  }

  /** Starts this main in a new JVM with the test class path. */
  public static ProcessBuilder process(java.nio.file.Path log, String... args) {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    java.util.List<String> argv =
        new java.util.ArrayList<>(
            java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                ExperimentCommandMain.class.getName()));
    argv.addAll(java.util.List.of(args));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
  }
}
