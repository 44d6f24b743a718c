package io.valentia.web.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the gateway finds the roles this process does not run: the {@code http.upstreams} section,
 * one or several base addresses per role (several for replicas).
 *
 * <pre>
 * http:
 *   upstreams:
 *     chaos: http://10.0.0.2:8081
 *     postmortem: [http://10.0.0.3:8082, http://10.0.0.4:8082]
 * </pre>
 *
 * The same as {@code --upstream chaos=http://10.0.0.2:8081} (repeatable) or {@code
 * VALENTIA_HTTP_UPSTREAMS=chaos=http://...,postmortem=http://...}: a list of {@code ROLE=URL}.
 *
 * @param byRole base addresses ({@code http://host:port}) by role, in the configured order
 * @param connectTimeout how long the gateway waits for a connection to one process before it tries
 *     the next
 * @param answerTimeout how long a forwarded request may go without a byte from the process (a
 *     stream of server-sent events has none)
 * @param checkInterval how often the gateway asks each process's {@code /health} whether it answers
 */
public record Upstreams(
    Map<String, List<URI>> byRole,
    Duration connectTimeout,
    Duration answerTimeout,
    Duration checkInterval) {
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  /** No role configured anywhere. */
  public static final Upstreams NONE = new Upstreams(Map.of());

  public Upstreams {
    Map<String, List<URI>> copy = new LinkedHashMap<>();
    byRole.forEach((role, uris) -> copy.put(role, List.copyOf(uris)));
    byRole = java.util.Collections.unmodifiableMap(copy);
  }

  /** With the default timeouts. */
  public Upstreams(Map<String, List<URI>> byRole) {
    this(byRole, CONNECT_TIMEOUT, ANSWER_TIMEOUT, CHECK_INTERVAL);
  }

  /** The addresses of {@code role}; empty when none is configured. */
  public List<URI> of(String role) {
    return byRole.getOrDefault(role, List.of());
  }

  /**
   * Reads the section (a mapping, or a list of {@code ROLE=URL}); a missing node gives {@link
   * #NONE}.
   *
   * @throws IllegalArgumentException listing every problem
   */
  public static Upstreams of(JsonNode section) {
    List<String> problems = new ArrayList<>();
    Map<String, List<URI>> parsed = parse(section, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new Upstreams(parsed);
  }

  /** Every problem of the section, each naming its role; empty when it is fine. */
  public static List<String> check(JsonNode section) {
    List<String> problems = new ArrayList<>();
    parse(section, problems);
    return problems;
  }

  private static Map<String, List<URI>> parse(JsonNode section, List<String> problems) {
    Map<String, List<URI>> byRole = new LinkedHashMap<>();
    if (section == null || section.isMissingNode() || section.isNull()) {
      return byRole;
    }
    if (section.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        JsonNode value = entry.getValue();
        if (value.isTextual()) {
          add(byRole, entry.getKey(), value.asText(), problems);
        } else if (value.isArray()) {
          value.forEach(v -> add(byRole, entry.getKey(), v.asText(), problems));
        } else {
          problems.add(entry.getKey() + ": must be an address or a list of addresses");
        }
      }
    } else if (section.isArray() || section.isTextual()) {
      List<String> items = new ArrayList<>();
      if (section.isTextual()) {
        items.addAll(List.of(section.asText().trim().split("\\s*,\\s*")));
      } else {
        section.forEach(v -> items.add(v.asText()));
      }
      for (String item : items) {
        int equals = item.indexOf('=');
        if (equals <= 0) {
          problems.add("\"" + item + "\" must be ROLE=URL, e.g. chaos=http://10.0.0.2:8081");
        } else {
          add(
              byRole,
              item.substring(0, equals).trim(),
              item.substring(equals + 1).trim(),
              problems);
        }
      }
    } else {
      problems.add("must map roles to addresses (chaos: http://host:port)");
    }
    return byRole;
  }

  private static void add(
      Map<String, List<URI>> byRole, String role, String address, List<String> problems) {
    try {
      URI uri = new URI(address);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null
          || uri.getPort() < 1) {
        problems.add(role + ": \"" + address + "\" must be http(s)://host:port");
        return;
      }
      if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
        problems.add(role + ": \"" + address + "\" must have no path (the gateway adds /api/v1)");
        return;
      }
      byRole.computeIfAbsent(role, r -> new ArrayList<>()).add(uri);
    } catch (URISyntaxException e) {
      problems.add(role + ": \"" + address + "\" is not an address: " + e.getReason());
    }
  }
}
