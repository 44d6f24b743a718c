package io.valentia.eventbus.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads one section of the configuration with {@link Field}s, collecting every problem with its key
 * path and where its value came from instead of stopping at the first. Nested sections ({@link
 * #section}, {@link #items}) share their parent's problems, so one {@link #problems()} or {@link
 * #throwIfProblems} at the end reports everything.
 *
 * <pre>
 * ConfigSection section = ConfigSection.of(node);
 * section.checkKeys(FIELDS, UnknownKeys.listingKnown());
 * Duration interval = section.get(INTERVAL);
 * ...
 * section.throwIfProblems("bad probes.mtu configuration");
 * </pre>
 *
 * <p>Not thread-safe: one reading at a time.
 */
public final class ConfigSection {
  private final JsonNode node;
  private final String path;
  private final Function<String, String> sources;
  private final List<ConfigProblem> problems;

  private ConfigSection(
      JsonNode node, String path, Function<String, String> sources, List<ConfigProblem> problems) {
    this.node = node == null ? MissingNode.getInstance() : node;
    this.path = path;
    this.sources = sources;
    this.problems = problems;
  }

  /** A section whose problems name keys relative to it, without a source. */
  public static ConfigSection of(JsonNode node) {
    return of(node, "", key -> null);
  }

  /**
   * A section at {@code path}.
   *
   * @param node the section as written; null or missing for none
   * @param path its key path, e.g. {@code notifications}; empty for keys relative to it
   * @param sources where the value of a full key path came from (a file, an environment variable, a
   *     flag), or null when not known
   */
  public static ConfigSection of(JsonNode node, String path, Function<String, String> sources) {
    return new ConfigSection(node, path, sources, new ArrayList<>());
  }

  /** The section as written; a missing node when there is none. */
  public JsonNode node() {
    return node;
  }

  /** Its key path; empty at the root. */
  public String path() {
    return path;
  }

  /** Whether the section is not written at all (missing or null). */
  public boolean isAbsent() {
    return node.isMissingNode() || node.isNull();
  }

  /**
   * Whether the section is a mapping; when it is present but not one, {@code message} is a problem
   * of the section.
   */
  public boolean isMapping(String message) {
    if (node.isObject()) {
      return true;
    }
    if (!isAbsent()) {
      problem("", message);
    }
    return false;
  }

  /** Whether {@code key} is written with a value other than null. */
  public boolean has(String key) {
    return node.hasNonNull(key);
  }

  /**
   * The value of {@code field}: its default when absent or null, or when bad (the problem is
   * collected).
   */
  public <T> T get(Field<T> field) {
    JsonNode value = node.get(field.name());
    if (value == null || value.isNull()) {
      if (field.requiredMessage() != null) {
        problem(field.name(), field.requiredMessage());
      }
      return field.defaultValue();
    }
    T read = field.read(value, message -> problem(field.name(), message));
    return read == null ? field.defaultValue() : read;
  }

  /** The sub-section {@code key}, sharing this section's problems. */
  public ConfigSection section(String key) {
    return new ConfigSection(node.path(key), join(path, key), sources, problems);
  }

  /**
   * The items of this section when it is a list ({@code path[0]}, {@code path[1]}, ...); empty,
   * with {@code message} as a problem, when it is present but not a list.
   */
  public List<ConfigSection> items(String message) {
    List<ConfigSection> items = new ArrayList<>();
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        items.add(new ConfigSection(node.get(i), path + "[" + i + "]", sources, problems));
      }
    } else if (!isAbsent()) {
      problem("", message);
    }
    return items;
  }

  /** Reports each key of this mapping that is not the name of one of {@code fields}. */
  public void checkKeys(Collection<? extends Field<?>> fields, UnknownKeys unknown) {
    Set<String> known = new TreeSet<>();
    fields.forEach(f -> known.add(f.name()));
    checkKeyNames(known, unknown);
  }

  /** Reports each key of this mapping that is not in {@code known}. */
  public void checkKeyNames(Collection<String> known, UnknownKeys unknown) {
    TreeSet<String> sorted = new TreeSet<>(known);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!sorted.contains(key)) {
        problem(key, unknown.message(key, java.util.Collections.unmodifiableSortedSet(sorted)));
      }
    }
  }

  /**
   * Adds a problem of {@code key}, relative to this section; empty for the section itself. Its
   * source is the one of the key path, or of the nearest enclosing key whose source is known.
   */
  public void problem(String key, String message) {
    String full = join(path, key);
    problems.add(new ConfigProblem(full, sourceOf(full), message));
  }

  /**
   * Adds the problems of a reader of a sub-section that reports {@code key: message} lines relative
   * to this section (or a bare {@code message} about the section itself).
   */
  public void adopt(List<String> lines) {
    for (String line : lines) {
      int colon = line.indexOf(": ");
      if (colon <= 0 || line.substring(0, colon).contains(" ")) {
        problem("", line);
      } else {
        problem(line.substring(0, colon), line.substring(colon + 2));
      }
    }
  }

  private String sourceOf(String full) {
    String at = full;
    while (true) {
      String source = sources.apply(at);
      if (source != null) {
        return source;
      }
      int cut = Math.max(at.lastIndexOf('.'), at.lastIndexOf('['));
      if (cut <= 0) {
        return null;
      }
      at = at.substring(0, cut);
    }
  }

  /** Every problem found so far by this section, its parent and its sub-sections. */
  public List<ConfigProblem> problems() {
    return List.copyOf(problems);
  }

  /** Every problem as {@code key (from source): message}. */
  public List<String> problemLines() {
    return problems.stream().map(ConfigProblem::toString).toList();
  }

  /**
   * @param what what is wrong, e.g. {@code invalid notifications configuration}
   * @throws ConfigException listing every problem, when there is any
   */
  public void throwIfProblems(String what) {
    if (!problems.isEmpty()) {
      throw new ConfigException(what, problemLines());
    }
  }

  private static String join(String path, String key) {
    if (path.isEmpty()) {
      return key;
    }
    return key.isEmpty() ? path : path + "." + key;
  }
}
