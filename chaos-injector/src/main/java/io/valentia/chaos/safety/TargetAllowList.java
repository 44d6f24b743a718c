package io.valentia.chaos.safety;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.faults.Target;
import io.valentia.eventbus.config.ConfigSection;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which targets faults may touch: glob patterns by kind ({@code pids}, {@code cgroups}, {@code
 * namespaces}, {@code interfaces}, {@code hosts}). A target is allowed when a pattern of its kind
 * matches it; an empty list allows nothing of that kind. Immutable.
 */
public final class TargetAllowList {
  /** Configuration keys by target kind. */
  public static final Map<String, String> KEYS =
      Map.of(
          "pid", "pids",
          "cgroup", "cgroups",
          "namespace", "namespaces",
          "interface", "interfaces",
          "host", "hosts");

  private final Map<String, List<String>> patterns;

  public TargetAllowList(Map<String, List<String>> patternsByKey) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    patternsByKey.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.patterns = Map.copyOf(copy);
  }

  /** Allows nothing: the safe default. */
  public static TargetAllowList none() {
    return new TargetAllowList(Map.of());
  }

  /**
   * Reads {@code {pids: [...], cgroups: [...], ...}}.
   *
   * @param problems receives every bad key, relative to the node
   */
  public static TargetAllowList read(JsonNode node, List<String> problems) {
    ConfigSection section = ConfigSection.of(node);
    TargetAllowList list = read(section);
    problems.addAll(section.problemLines());
    return list;
  }

  /**
   * Reads the {@code allow} section; its problems go to the section. Keys that are neither a target
   * kind nor one of {@link ProviderAllowList#KEYS} are unknown.
   */
  public static TargetAllowList read(ConfigSection allow) {
    Map<String, List<String>> patterns = new LinkedHashMap<>();
    if (allow.isAbsent()) {
      return none();
    }
    if (!allow.isMapping(
        "must be a mapping of target kinds ("
            + String.join(", ", Set.copyOf(KEYS.values()))
            + ") to patterns")) {
      return none();
    }
    Set<String> known = new java.util.HashSet<>(KEYS.values());
    known.addAll(ProviderAllowList.KEYS);
    allow.checkKeyNames(
        known,
        (key, all) ->
            "unknown target kind (known: pids, cgroups, namespaces, interfaces, hosts; and"
                + " executables, urls for the process and http providers)");
    allow
        .node()
        .fields()
        .forEachRemaining(
            e -> {
              if (!KEYS.containsValue(e.getKey())) {
                return; // unknown, or read by ProviderAllowList
              }
              List<String> list = new ArrayList<>();
              if (e.getValue().isArray()) {
                e.getValue().forEach(p -> list.add(p.asText()));
              } else if (e.getValue().isValueNode()) {
                list.add(e.getValue().asText());
              } else {
                allow.problem(e.getKey(), "must be a list of patterns");
              }
              patterns.put(e.getKey(), list);
            });
    return new TargetAllowList(patterns);
  }

  /** Whether {@code target} may be touched. */
  public boolean allows(Target target) {
    String key = KEYS.get(target.kind());
    if (key == null) {
      return false;
    }
    for (String pattern : patterns.getOrDefault(key, List.of())) {
      if (pattern.equals("*")
          || pattern.equals(target.value())
          || glob(pattern).matches(Path.of(target.value().replace('/', '_')))) {
        return true;
      }
    }
    return false;
  }

  private static PathMatcher glob(String pattern) {
    return FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace('/', '_'));
  }

  /** The patterns by configuration key. */
  public Map<String, List<String>> patterns() {
    return patterns;
  }
}
