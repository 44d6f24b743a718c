package io.valentia.eventbus.kafka;

import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.Topics;
import io.valentia.eventbus.ValentiaException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a state table once from the history a release without state topics left: the first start
 * of this release reads the source topic from its beginning (the one time a full scan is allowed),
 * folds the records, writes the state, and records in {@link Topics#STATE_MIGRATIONS} that the
 * table is built, so no later start scans again. A new installation records it at once, having
 * nothing to read. A migration cut short (a crash) runs again at the next start; writing the state
 * again is harmless, as state records are keyed by their entity.
 *
 * <p>Blocking: call it from a worker, before the service starts to write the table itself.
 */
public final class StateMigration {
  private static final Logger LOG = LoggerFactory.getLogger(StateMigration.class);
  private static final Duration SCAN_TIMEOUT = Duration.ofHours(2);

  private final StateTables tables;
  private final Consumer<String> console;

  /**
   * @param console where the progress lines go, beside the log (a person waits for them)
   */
  public StateMigration(StateTables tables, Consumer<String> console) {
    this.tables = tables;
    this.console = console;
  }

  /**
   * Whether {@code table} was already built (by this release or an earlier start of it).
   *
   * @throws ValentiaException when the migrations table cannot be read
   */
  public boolean done(String table) {
    StateTable<Migrated> migrated = migrations();
    return migrated.get(table).isPresent();
  }

  /**
   * Builds {@code table} from {@code source} unless that was done before.
   *
   * @param types the event types to fold ({@link EventCodec#peekType} of the record's value); other
   *     records are skipped without being decoded; empty for every record
   * @param fold takes each kept record of the source, in log order per partition
   * @param write writes the folded state to the table and waits until Kafka has it
   * @return true when it ran now
   */
  public boolean once(
      String table, String source, Set<String> types, Consumer<LogRecord> fold, Runnable write) {
    if (done(table)) {
      return false;
    }
    long started = System.nanoTime();
    long read;
    try (TopicReader reader = TopicReader.open(tables.settings(), "migration", source)) {
      reader.seekToBeginning();
      read =
          reader.readToEnd(
              r -> r.value() != null && (types.isEmpty() || kept(types, r.value())),
              fold,
              (n, total) ->
                  say(
                      String.format(
                          "building %s from %s (once, after the upgrade): %,d of %,d records (%d%%)",
                          table, source, n, total, total == 0 ? 100 : n * 100 / total)),
              SCAN_TIMEOUT);
    }
    write.run();
    await(
        migrations().put(table, new Migrated(table, source, read, Instant.now())),
        "record the migration of " + table);
    say(
        String.format(
            "built %s from %,d records of %s in %d ms",
            table, read, source, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    return true;
  }

  /** Whether the record is an event of one of {@code types}; false for anything not an event. */
  private static boolean kept(Set<String> types, byte[] value) {
    String type = EventCodec.peekType(value);
    return type != null && types.contains(type);
  }

  private StateTable<Migrated> migrations() {
    StateTable<Migrated> migrated = tables.open(Topics.STATE_MIGRATIONS, Migrated.class);
    await(migrated.restored(), "read " + Topics.STATE_MIGRATIONS);
    return migrated;
  }

  private void say(String line) {
    LOG.info("{}", line);
    console.accept(line);
  }

  /** Waits for a state write or restore, for at most a minute. */
  public static void await(java.util.concurrent.CompletableFuture<?> future, String what) {
    try {
      future.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ValentiaException("interrupted while waiting to " + what, e);
    } catch (ExecutionException e) {
      throw new ValentiaException("could not " + what + ": " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new ValentiaException.RetriableException("Kafka did not answer in time to " + what, e);
    }
  }

  /**
   * The record that says a table was built.
   *
   * @param recordsRead records of the source read to build it
   */
  public record Migrated(String table, String source, long recordsRead, Instant at) {}
}
