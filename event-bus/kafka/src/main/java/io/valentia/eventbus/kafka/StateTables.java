package io.valentia.eventbus.kafka;

import com.fasterxml.jackson.databind.JavaType;
import io.valentia.eventbus.EventCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state tables of one process: each state topic is read once per process however many services
 * use it, and {@code /health} shows every table's restore progress from here. Thread-safe.
 */
public final class StateTables implements AutoCloseable {
  private final KafkaSettings settings;
  private final Map<String, StateTable<?>> tables = new LinkedHashMap<>();
  private final Map<String, JavaType> types = new LinkedHashMap<>();
  private boolean closed;

  public StateTables(KafkaSettings settings) {
    this.settings = settings;
  }

  public KafkaSettings settings() {
    return settings;
  }

  /**
   * The table of state topic {@code topic}, opened on first use.
   *
   * @throws IllegalArgumentException when the table is already open with another value type
   */
  public <V> StateTable<V> open(String topic, Class<V> valueType) {
    return open(topic, EventCodec.MAPPER.constructType(valueType));
  }

  /** Like {@link #open(String, Class)} for a generic value type. */
  @SuppressWarnings("unchecked")
  public synchronized <V> StateTable<V> open(String topic, JavaType valueType) {
    if (closed) {
      throw new IllegalStateException("the state tables are closed");
    }
    StateTable<?> existing = tables.get(topic);
    if (existing != null) {
      if (!types.get(topic).equals(valueType)) {
        throw new IllegalArgumentException(
            "state table " + topic + " is open as " + types.get(topic) + ", not " + valueType);
      }
      return (StateTable<V>) existing;
    }
    StateTable<V> table = StateTable.open(settings, topic, valueType);
    tables.put(topic, table);
    types.put(topic, valueType);
    return table;
  }

  /** The restore progress of every table opened, in the order they were opened. */
  public synchronized List<StateTable.Restore> progress() {
    List<StateTable.Restore> out = new ArrayList<>();
    tables.values().forEach(t -> out.add(t.progress()));
    return out;
  }

  /** Whether every table opened so far is restored. */
  public synchronized boolean restored() {
    return tables.values().stream().allMatch(StateTable::isRestored);
  }

  @Override
  public synchronized void close() {
    closed = true;
    tables.values().forEach(StateTable::close);
    tables.clear();
  }
}
