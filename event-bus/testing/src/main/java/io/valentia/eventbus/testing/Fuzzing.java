package io.valentia.eventbus.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The property every parser of outside input must have, checked for one input: it returns, or
 * throws one of the exceptions it declares (its refusal), and it does so within the per-input limit
 * ({@code -Dvalentia.fuzz.timeout-ms}, 1,000 ms unless set). The parse runs on a thread of its own
 * so that a hang is caught and the run goes on. Thread-safe.
 */
public final class Fuzzing {
  /** One parse of one input. */
  @FunctionalInterface
  public interface Parse {
    void parse(String input) throws Exception;
  }

  private static ExecutorService worker = newWorker();

  private Fuzzing() {}

  /** The per-input limit. */
  public static Duration timeout() {
    return Duration.ofMillis(Long.getLong("valentia.fuzz.timeout-ms", 1_000));
  }

  /**
   * Parses {@code input}.
   *
   * @throws AssertionError naming the input when the parse throws anything not in {@code declared}
   *     (the cause is the exception) or takes longer than {@link #timeout()}
   */
  @SafeVarargs
  public static void check(String input, Parse parse, Class<? extends Throwable>... declared) {
    Future<?> done;
    synchronized (Fuzzing.class) {
      done =
          worker.submit(
              () -> {
                parse.parse(input);
                return null;
              });
    }
    try {
      done.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      done.cancel(true);
      synchronized (Fuzzing.class) {
        worker.shutdownNow();
        worker = newWorker();
      }
      throw new AssertionError(
          "hang: the parse took longer than " + timeout().toMillis() + " ms on " + quote(input));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      for (Class<? extends Throwable> refusal : declared) {
        if (refusal.isInstance(cause)) {
          return;
        }
      }
      throw new AssertionError(
          "undeclared " + cause.getClass().getName() + " on " + quote(input), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The input, escaped and cut to 500 characters, for a failure message. */
  public static String quote(String input) {
    StringBuilder s = new StringBuilder("\"");
    input
        .chars()
        .limit(500)
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                s.append('\\').append((char) c);
              } else if (c < 0x20 || c > 0x7e) {
                s.append(String.format("\\u%04x", c));
              } else {
                s.append((char) c);
              }
            });
    s.append(input.length() > 500 ? "\"... (" + input.length() + " chars)" : "\"");
    return s.toString();
  }

  /**
   * The samples in a resource file: one per line ({@code \u001d} and other escapes as written by
   * {@link #quote} are not undone), blank lines and lines starting with {@code #} skipped.
   */
  public static List<String> lines(Class<?> owner, String resource) {
    List<String> out = new ArrayList<>();
    for (String line : resource(owner, resource).split("\n", -1)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        out.add(line.replace("\\u001d", "\u001d"));
      }
    }
    return out;
  }

  /** A whole resource file as text. */
  public static String resource(Class<?> owner, String resource) {
    try (var in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(null, r, "fuzz-parse", 0);
          t.setDaemon(true);
          return t;
        });
  }
}
