package io.valentia.chaos.faults;

import io.valentia.chaos.experiment.Arguments;
import io.valentia.chaos.experiment.Substitution;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Load on this machine: CPU and memory hogs. */
final class Hogs {
  private Hogs() {}

  /** {@code cpu-hog}: busy threads in the injector, one per worker, stopped on revert. */
  static final class Cpu implements Fault {
    @Override
    public String name() {
      return "cpu-hog";
    }

    @Override
    public String summary() {
      return "keep CPUs busy; args: workers (default 1, at most the number of CPUs)";
    }

    @Override
    public List<Target> targets(Arguments arguments) {
      arguments.onlyKnown(Set.of("workers", "duration"));
      long workers = arguments.optionalInteger("workers", 1);
      int cpus = Runtime.getRuntime().availableProcessors();
      if (workers < 1 || workers > cpus) {
        arguments.problem("workers: must be between 1 and " + cpus + " (this machine's CPUs)");
      }
      return List.of(new Target("host", "localhost"));
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration) {
      int workers = (int) arguments.optionalInteger("workers", 1);
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        Thread t =
            new Thread(
                () -> {
                  long x = 0;
                  while (running.get()) {
                    x += System.nanoTime() % 7;
                  }
                  if (x == 42) {
                    Thread.onSpinWait();
                  }
                },
                "valentia-cpu-hog-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
      return () -> {
        running.set(false);
        for (Thread t : threads) {
          try {
            t.join(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
    }
  }

  /**
   * {@code memory-hog}: fills a file of the given size in a memory file system ({@code /dev/shm}),
   * which holds it in RAM outside the injector's heap; deleting the file on revert frees it.
   */
  static final class Memory implements Fault {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)i?b?");
    private final Path dir;

    Memory(Path dir) {
      this.dir = dir;
    }

    @Override
    public String name() {
      return "memory-hog";
    }

    @Override
    public String summary() {
      return "hold memory (in a RAM file system, outside the injector's heap); args: size (e.g."
          + " 256m, 2g)";
    }

    @Override
    public List<Target> targets(Arguments arguments) {
      arguments.onlyKnown(Set.of("size", "duration"));
      String size = arguments.string("size");
      if (!size.isEmpty() && !Substitution.hasPlaceholder(size) && bytes(size) <= 0) {
        arguments.problem("size: must be a size such as 256m or 2g, found " + size);
      }
      return List.of(new Target("host", "localhost"));
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration) throws FaultException {
      return inject(arguments, duration, undo -> {});
    }

    @Override
    public Revert inject(Arguments arguments, Duration duration, UndoJournal journal)
        throws FaultException {
      long bytes = bytes(arguments.string("size"));
      Path file =
          dir.resolve(
              "valentia-memory-hog-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
      journal.record(Undo.steps().add(Undo.deleteFile(file)));
      try (FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < chunk.capacity(); i += 4096) {
          chunk.put(i, (byte) 1);
        }
        long written = 0;
        while (written < bytes) {
          chunk.clear();
          chunk.limit((int) Math.min(chunk.capacity(), bytes - written));
          written += channel.write(chunk);
        }
      } catch (IOException e) {
        deleteQuietly(file);
        throw new FaultException(
            "cannot hold " + bytes + " bytes in " + dir + ": " + e.getMessage(), e);
      }
      return () -> deleteQuietly(file);
    }

    static long bytes(String size) {
      Matcher m = SIZE.matcher(size.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        return -1;
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "k" -> n << 10;
        case "m" -> n << 20;
        case "g" -> n << 30;
        default -> n;
      };
    }

    private static void deleteQuietly(Path file) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }
}
