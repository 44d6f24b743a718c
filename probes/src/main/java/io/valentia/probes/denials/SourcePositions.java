package io.valentia.probes.denials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each source left off, kept in a small JSON file so that a restart resumes there: for a file
 * its identity (device and inode) and byte offset, for the kernel log the boot id and record
 * sequence number. Saved atomically (write, then rename). Thread-safe. A null file keeps positions
 * in memory only.
 */
public final class SourcePositions {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * @param identity what the offset belongs to: a file's key, or the boot id
   * @param offset bytes read of a file, or the last kernel log sequence number read
   */
  public record Position(String identity, long offset) {}

  private final Path file;
  private final Map<String, Position> positions = new ConcurrentHashMap<>();
  private volatile boolean dirty;

  private SourcePositions(Path file) {
    this.file = file;
  }

  /** Positions kept in memory only. */
  public static SourcePositions inMemory() {
    return new SourcePositions(null);
  }

  /**
   * Positions kept in {@code file}, read now when it exists. An unreadable file is set aside (as
   * {@code FILE.bad}) and every source starts afresh.
   */
  public static SourcePositions load(Path file) {
    SourcePositions positions = new SourcePositions(file);
    if (Files.exists(file)) {
      try {
        JsonNode json = MAPPER.readTree(file.toFile());
        json.fields()
            .forEachRemaining(
                e ->
                    positions.positions.put(
                        e.getKey(),
                        new Position(
                            e.getValue().path("identity").asText(),
                            e.getValue().path("offset").asLong())));
      } catch (IOException | RuntimeException e) {
        try {
          Files.move(
              file,
              file.resolveSibling(file.getFileName() + ".bad"),
              StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ignored) {
          // it stays; it will be overwritten on the next save
        }
      }
    }
    return positions;
  }

  /** Where {@code source} left off, or null. */
  public Position get(String source) {
    return positions.get(source);
  }

  /** Records where {@code source} is now (saved on the next {@link #save}). */
  public void put(String source, Position position) {
    positions.put(source, position);
    dirty = true;
  }

  /** Writes the positions when they changed since the last save. */
  public synchronized void save() {
    if (file == null || !dirty) {
      return;
    }
    dirty = false;
    ObjectNode json = MAPPER.createObjectNode();
    positions.forEach(
        (source, p) ->
            json.putObject(source).put("identity", p.identity()).put("offset", p.offset()));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), json);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      dirty = true;
      throw new UncheckedIOException("could not save positions to " + file, e);
    }
  }
}
