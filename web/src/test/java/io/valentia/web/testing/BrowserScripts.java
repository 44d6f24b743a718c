package io.valentia.web.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the browser test scripts of {@code web/src/test/browser} (TAP output, Debian's
 * Chromium driven by playwright-core) and checks it passed. Without Chromium or the npm packages
 * the test fails and says what is missing ({@code .ci/run} installs both). Shared with other
 * modules through the web test-jar.
 */
public final class BrowserScripts {
  private BrowserScripts() {}

  /** The scripts' folder seen from a module's folder (Maven runs tests there). */
  public static Path folder() {
    return Path.of("..", "web", "src", "test", "browser");
  }

  /**
   * Runs {@code script} with {@code environment}, writing its output to {@code log}; fails unless
   * it finishes within 3 minutes with status 0 and no {@code not ok} line.
   *
   * @return the script's output, for checking which tests it reported
   */
  public static String run(String script, Map<String, String> environment, Path log)
      throws IOException, InterruptedException {
    requireBrowser();
    ProcessBuilder node =
        new ProcessBuilder("node", script)
            .directory(folder().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    node.environment().putAll(environment);
    Process process = node.start();
    boolean done = process.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      process.destroyForcibly();
    }
    String output = read(log);
    System.out.println(output);
    assertThat(done).as("the browser test finished in time:%n%s", output).isTrue();
    assertThat(output).as("browser test output").doesNotContain("not ok");
    assertThat(process.exitValue()).as("browser test output:%n%s", output).isZero();
    return output;
  }

  /** Fails, saying what is missing, without Chromium or the scripts' npm packages. */
  public static void requireBrowser() {
    assertThat(Path.of("/usr/bin/chromium"))
        .as("Debian's chromium package (apt-get install chromium; .ci/run does)")
        .isExecutable();
    assertThat(folder().resolve("node_modules").resolve("playwright-core"))
        .as("playwright-core (npm ci in web/src/test/browser; .ci/run does)")
        .isDirectory();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }
}
