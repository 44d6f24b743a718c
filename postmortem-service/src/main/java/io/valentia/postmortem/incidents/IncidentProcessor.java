package io.valentia.postmortem.incidents;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.InvalidEventException;
import io.valentia.eventbus.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Correlation and lifecycle: runs the {@link IncidentDetector} over the signals, keeping the
 * incidents in state stores with changelogs, and writes what changed in the signal's transaction:
 * the incident events to {@code valentia.events} (key: {@link Topics#keyOf}) and each changed
 * incident's state to {@code valentia.state.incidents} (key: its id).
 *
 * <p>Stores: {@link #INCIDENTS} (incident id to {@link IncidentState}, every incident not yet
 * closed) and {@link #INDEX} ({@code s|subject} and {@code e|experiment} to the ids of the active
 * incidents that have them; a stale id is dropped when met). On its first signal ever (no {@code
 * ~seeded} mark in the index), the processor takes every incident not closed from the seed (the
 * state table, which holds incidents migrated from the history and those of earlier runs), so that
 * correlation and lifecycle know them.
 */
final class IncidentProcessor implements Processor<String, Signal, String, Output> {
  static final String INCIDENTS = "incidents";
  static final String INDEX = "incident-index";
  private static final String SEEDED = "~seeded";
  private static final Logger LOG = LoggerFactory.getLogger(IncidentProcessor.class);

  /**
   * Ids of active incidents under one index key.
   *
   * @param ids incident ids, oldest first
   */
  record IndexEntry(List<String> ids) {
    IndexEntry {
      ids = ids == null ? List.of() : List.copyOf(ids);
    }
  }

  private final DetectionRules rules;
  private final Supplier<Collection<IncidentState>> seed;
  private ProcessorContext<String, Output> context;
  private KeyValueStore<String, IncidentState> incidents;
  private KeyValueStore<String, IndexEntry> index;
  private IncidentDetector detector;
  private final Map<String, Incident> changed = new LinkedHashMap<>();

  IncidentProcessor(DetectionRules rules, Supplier<Collection<IncidentState>> seed) {
    this.rules = rules;
    this.seed = seed;
  }

  @Override
  public void init(ProcessorContext<String, Output> context) {
    this.context = context;
    this.incidents = context.getStateStore(INCIDENTS);
    this.index = context.getStateStore(INDEX);
    this.detector = new IncidentDetector(rules, new StoreBook());
  }

  @Override
  public void process(Record<String, Signal> record) {
    seedOnce();
    CloudEvent event;
    try {
      event = EventCodec.instance().decode(record.value().event());
    } catch (InvalidEventException | IllegalArgumentException e) {
      return;
    }
    changed.clear();
    List<CloudEvent> out;
    if (IncidentDetector.isCommand(event)) {
      try {
        out = detector.apply(event);
      } catch (IllegalArgumentException e) {
        LOG.warn("status command {} not applied: {}", event.id(), e.getMessage());
        return;
      }
    } else {
      out = detector.accept(event, Optional.ofNullable(record.value().trigger()));
    }
    long now = context.currentSystemTimeMs();
    for (CloudEvent e : out) {
      context.forward(
          new Record<>(
              Topics.keyOf(e), new Output(Topics.EVENTS, EventCodec.instance().encode(e)), now));
    }
    for (Incident incident : changed.values()) {
      context.forward(
          new Record<>(
              incident.id(), new Output(Topics.STATE_INCIDENTS, json(incident.state())), now));
    }
  }

  private void seedOnce() {
    if (index.get(SEEDED) != null) {
      return;
    }
    int taken = 0;
    for (IncidentState state : seed.get()) {
      if (!"closed".equals(state.status()) && incidents.get(state.id()) == null) {
        keep(Incident.of(state));
        taken++;
      }
    }
    index.put(SEEDED, new IndexEntry(List.of()));
    if (taken > 0) {
      LOG.info("incident detection took {} incidents from the state table", taken);
    }
  }

  private void keep(Incident incident) {
    IncidentState state = incident.state();
    if (state.status().equals("closed")) {
      incidents.delete(state.id());
    } else {
      incidents.put(state.id(), state);
    }
    if (state.active()) {
      state.subjects().forEach(s -> indexUnder("s|" + s, state.id()));
      state.experiments().forEach(e -> indexUnder("e|" + e, state.id()));
    }
  }

  private void indexUnder(String key, String id) {
    IndexEntry entry = index.get(key);
    if (entry == null) {
      index.put(key, new IndexEntry(List.of(id)));
    } else if (!entry.ids().contains(id)) {
      List<String> ids = new ArrayList<>(entry.ids());
      ids.add(id);
      index.put(key, new IndexEntry(ids));
    }
  }

  private List<Incident> lookUp(String key) {
    IndexEntry entry = index.get(key);
    if (entry == null) {
      return List.of();
    }
    List<Incident> found = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (String id : entry.ids()) {
      IncidentState state = incidents.get(id);
      if (state != null && state.active()) {
        found.add(Incident.of(state));
        kept.add(id);
      }
    }
    if (kept.size() != entry.ids().size()) {
      if (kept.isEmpty()) {
        index.delete(key);
      } else {
        index.put(key, new IndexEntry(kept));
      }
    }
    return found;
  }

  private static byte[] json(IncidentState state) {
    try {
      return EventCodec.MAPPER.writeValueAsString(state).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The detector's book over this processor's stores; remembers what changed for the outputs. */
  private final class StoreBook implements IncidentDetector.Book {
    @Override
    public Optional<Incident> find(String id) {
      Incident pending = changed.get(id);
      if (pending != null) {
        return Optional.of(pending);
      }
      return Optional.ofNullable(incidents.get(id)).map(Incident::of);
    }

    @Override
    public List<Incident> related(String subject, String experimentId) {
      Map<String, Incident> found = new LinkedHashMap<>();
      if (subject != null) {
        lookUp("s|" + subject).forEach(i -> found.putIfAbsent(i.id(), i));
      }
      if (experimentId != null) {
        lookUp("e|" + experimentId).forEach(i -> found.putIfAbsent(i.id(), i));
      }
      return new ArrayList<>(found.values());
    }

    @Override
    public void save(Incident incident) {
      keep(incident);
      changed.put(incident.id(), incident);
    }
  }
}
