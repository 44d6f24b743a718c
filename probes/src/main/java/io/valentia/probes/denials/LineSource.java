package io.valentia.probes.denials;

import java.util.concurrent.BlockingQueue;

/**
 * A source of audit lines read on its own thread (blocking reads never touch an event loop). It
 * delivers each line with the position just after it, so the reader can record where it left off
 * once the line is handled.
 */
public interface LineSource extends AutoCloseable {

  /** A line and the position after it (null when the source keeps none). */
  record Line(LineSource source, String text, SourcePositions.Position position) {}

  /**
   * A stable name, the key of its position: {@code kmsg}, {@code file:/var/log/audit/audit.log}.
   */
  String id();

  /** Starts the reading thread, delivering lines into {@code queue}. */
  void start(BlockingQueue<Line> queue);

  /**
   * Whether a source that reads once has delivered everything it will (a file at its end, stdin
   * closed, the kernel log quiet); a followed source never is.
   */
  boolean exhausted();

  /** A problem that stopped the source, or null. */
  String failure();

  /** Stops the reading thread. */
  @Override
  void close();
}
