package io.valentia.probes.denials;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link DenialWatcher} over its sources on the calling thread (blocking: call it from a
 * dedicated thread, never an event loop). Each source reads on its own thread; lines meet in one
 * queue and are handled in turn. Positions are recorded after each line is handled and saved when
 * the input is idle and at the end. Reading once, it returns when every source is exhausted;
 * following, when {@link #close} is called.
 */
public final class DenialReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DenialReader.class);

  private final DenialWatcher watcher;
  private final List<LineSource> sources;
  private final SourcePositions positions;
  private final BlockingQueue<LineSource.Line> queue = new ArrayBlockingQueue<>(10_000);
  private final List<String> failures = new ArrayList<>();
  private volatile boolean closed;

  public DenialReader(DenialWatcher watcher, List<LineSource> sources, SourcePositions positions) {
    this.watcher = watcher;
    this.sources = List.copyOf(sources);
    this.positions = positions;
  }

  /**
   * Reads until every source is exhausted (sources read once) or until closed.
   *
   * @return the problems that stopped sources (a file that is not there, a device not readable)
   */
  public List<String> run() throws InterruptedException {
    sources.forEach(s -> s.start(queue));
    try {
      while (!closed) {
        LineSource.Line line = queue.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          watcher.accept(line.text());
          if (line.position() != null) {
            positions.put(line.source().id(), line.position());
          }
          continue;
        }
        watcher.tick();
        savePositions();
        reportFailures();
        if (queue.isEmpty() && sources.stream().allMatch(LineSource::exhausted)) {
          break;
        }
      }
      watcher.drain();
      savePositions();
      reportFailures();
      return List.copyOf(failures);
    } finally {
      sources.forEach(LineSource::close);
    }
  }

  private void savePositions() {
    try {
      positions.save();
    } catch (RuntimeException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  private void reportFailures() {
    for (LineSource source : sources) {
      String failure = source.failure();
      if (failure != null && !failures.contains(failure)) {
        failures.add(failure);
        LOG.warn("denial source stopped: {}", failure);
      }
    }
  }

  /** Stops reading; {@link #run} drains what is waiting and returns. */
  @Override
  public void close() {
    closed = true;
    sources.forEach(LineSource::close);
  }
}
