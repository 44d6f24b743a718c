package io.valentia.chaos.safety;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.chaos.experiment.Activity;
import io.valentia.chaos.experiment.Experiment;
import io.valentia.chaos.experiment.ExperimentProblem;
import io.valentia.chaos.experiment.Provider;
import io.valentia.chaos.experiment.Substitution;
import io.valentia.eventbus.config.ConfigSection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the Chaos Toolkit {@code process} and {@code http} providers may call: executables by
 * absolute path, matched exactly (no globs, so no shell runs unless one is listed), and URL
 * prefixes. Nothing is allowed by default. Immutable.
 *
 * <p>An executable that runs others ({@code sh}, {@code env}, {@code python}, {@code xargs}, {@code
 * sudo}) allows everything they can run: list one only knowingly.
 */
public final class ProviderAllowList {
  /** The configuration key, under {@code chaos.allow}, of the executables. */
  public static final String EXECUTABLES = "executables";

  /** The configuration key, under {@code chaos.allow}, of the URL prefixes. */
  public static final String URLS = "urls";

  /** Both keys. */
  public static final Set<String> KEYS = Set.of(EXECUTABLES, URLS);

  private final List<String> executables;
  private final List<String> urls;

  /**
   * @param executables absolute paths; each is normalized
   * @param urls http:// or https:// URL prefixes; each is normalized
   * @throws IllegalArgumentException when an entry is not an absolute path or an http(s) URL
   */
  public ProviderAllowList(List<String> executables, List<String> urls) {
    List<String> exes = new ArrayList<>();
    for (String e : executables) {
      String problem = executableProblem(e);
      if (problem != null) {
        throw new IllegalArgumentException(EXECUTABLES + ": " + problem);
      }
      exes.add(Path.of(e).normalize().toString());
    }
    List<String> prefixes = new ArrayList<>();
    for (String u : urls) {
      String canonical = canonicalPrefix(u);
      if (canonical == null) {
        throw new IllegalArgumentException(URLS + ": not an http:// or https:// URL: " + u);
      }
      prefixes.add(canonical);
    }
    this.executables = List.copyOf(exes);
    this.urls = List.copyOf(prefixes);
  }

  /** Allows nothing: the default. */
  public static ProviderAllowList none() {
    return new ProviderAllowList(List.of(), List.of());
  }

  /**
   * Reads {@code executables} and {@code urls} from the {@code allow} mapping; other keys are left
   * to {@link TargetAllowList}.
   *
   * @param problems receives every bad entry, relative to the mapping
   */
  public static ProviderAllowList read(JsonNode allow, List<String> problems) {
    ConfigSection section = ConfigSection.of(allow);
    ProviderAllowList list = read(section);
    problems.addAll(section.problemLines());
    return list;
  }

  /** Reads {@code executables} and {@code urls} of the {@code allow} section into it. */
  public static ProviderAllowList read(ConfigSection allow) {
    if (!allow.node().isObject()) {
      return none();
    }
    List<String> exes = new ArrayList<>();
    int i = 0;
    for (String e : list(allow, EXECUTABLES)) {
      String problem = executableProblem(e);
      if (problem != null) {
        allow.problem(EXECUTABLES + "[" + i + "]", problem);
      } else {
        exes.add(e);
      }
      i++;
    }
    List<String> prefixes = new ArrayList<>();
    i = 0;
    for (String u : list(allow, URLS)) {
      if (canonicalPrefix(u) == null) {
        allow.problem(
            URLS + "[" + i + "]", "must be an http:// or https:// URL prefix, found " + u);
      } else {
        prefixes.add(u);
      }
      i++;
    }
    return new ProviderAllowList(exes, prefixes);
  }

  private static List<String> list(ConfigSection allow, String key) {
    JsonNode node = allow.node().path(key);
    List<String> out = new ArrayList<>();
    if (node.isMissingNode() || node.isNull()) {
      return out;
    }
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        if (item.isTextual()) {
          out.add(item.asText());
        } else {
          allow.problem(key, "every entry must be a string, found " + item);
        }
      }
    } else {
      allow.problem(key, "must be a list of strings, found " + node);
    }
    return out;
  }

  private static String executableProblem(String path) {
    if (path == null || path.isBlank()) {
      return "must be an absolute path, found an empty string";
    }
    if (!path.startsWith("/")) {
      return "must be an absolute path (e.g. /usr/bin/curl), found " + path;
    }
    if (path.contains("*") || path.contains("?") || path.contains("[")) {
      return "must be one executable's path, not a pattern, found " + path;
    }
    return null;
  }

  /**
   * Why {@code path} may not be run; null when it may. The message names {@code
   * chaos.allow.executables}.
   */
  public String executableRefusal(String path) {
    if (path == null || !path.startsWith("/")) {
      return "process "
          + path
          + " is refused: name the executable by its absolute path, and list that path in the"
          + " allow-list of executables (chaos.allow.executables)";
    }
    String normalized = Path.of(path).normalize().toString();
    if (executables.contains(normalized)) {
      return null;
    }
    return "process "
        + path
        + " is not on the allow-list of executables (chaos.allow.executables"
        + (executables.isEmpty() ? ", empty" : "")
        + ")";
  }

  /**
   * Why {@code url} may not be called; null when it may. The message names {@code
   * chaos.allow.urls}.
   */
  public String urlRefusal(String url) {
    String canonical = canonical(url);
    if (canonical != null) {
      for (String prefix : urls) {
        if (canonical.startsWith(prefix)) {
          return null;
        }
      }
    }
    return "URL "
        + url
        + " is not on the allow-list of URL prefixes (chaos.allow.urls"
        + (urls.isEmpty() ? ", empty" : "")
        + ")";
  }

  /**
   * What this list refuses in {@code experiment}: every process and http provider of its activities
   * and of their tolerance probes. Values with a {@code ${placeholder}} still in place are left to
   * the run, which checks them once substituted.
   *
   * @return one problem per refused call, naming the list to change; empty when all are allowed
   */
  public List<ExperimentProblem> refusals(Experiment experiment) {
    List<ExperimentProblem> out = new ArrayList<>();
    for (Activity a : experiment.activities()) {
      String where = a.path() + ".provider";
      if (a.provider() instanceof Provider.Process p) {
        refuseExecutable(p.path(), where + ".path", a.name(), out);
      } else if (a.provider() instanceof Provider.Http h) {
        refuseUrl(h.url(), where + ".url", a.name(), out);
      }
      JsonNode provider = a.tolerance() == null ? null : a.tolerance().get("provider");
      if (provider != null && provider.isObject()) {
        String at = a.path() + ".tolerance.provider";
        switch (provider.path("type").asText()) {
          case "process" ->
              refuseExecutable(provider.path("path").asText(), at + ".path", a.name(), out);
          case "http" -> refuseUrl(provider.path("url").asText(), at + ".url", a.name(), out);
          default -> {}
        }
      }
    }
    return out;
  }

  private void refuseExecutable(
      String path, String where, String activity, List<ExperimentProblem> out) {
    if (Substitution.hasPlaceholder(path)) {
      return;
    }
    String refusal = executableRefusal(path);
    if (refusal != null) {
      out.add(new ExperimentProblem(where, null, activity + ": " + refusal));
    }
  }

  private void refuseUrl(String url, String where, String activity, List<ExperimentProblem> out) {
    if (Substitution.hasPlaceholder(url)) {
      return;
    }
    String refusal = urlRefusal(url);
    if (refusal != null) {
      out.add(new ExperimentProblem(where, null, activity + ": " + refusal));
    }
  }

  /** The executables, normalized. */
  public List<String> executables() {
    return executables;
  }

  /** The URL prefixes, normalized. */
  public List<String> urls() {
    return urls;
  }

  /** A copy that also allows {@code moreExecutables} and {@code moreUrls}. */
  public ProviderAllowList with(List<String> moreExecutables, List<String> moreUrls) {
    List<String> exes = new ArrayList<>(executables);
    exes.addAll(moreExecutables);
    List<String> prefixes = new ArrayList<>(urls);
    prefixes.addAll(moreUrls);
    return new ProviderAllowList(exes, prefixes);
  }

  /**
   * A URL in a form where a prefix match means what it says: scheme and host lower case, the
   * user-info dropped, the path normalized ({@code ..} resolved). Null when it is not an http(s)
   * URL with a host.
   */
  static String canonical(String url) {
    if (url == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(url).normalize();
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      return null;
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (path.startsWith("/..")) {
      return null;
    }
    StringBuilder out =
        new StringBuilder(scheme).append("://").append(uri.getHost().toLowerCase(Locale.ROOT));
    int port = uri.getPort();
    if (port != -1 && port != (scheme.equals("http") ? 80 : 443)) {
      out.append(':').append(port);
    }
    out.append(path);
    if (uri.getRawQuery() != null) {
      out.append('?').append(uri.getRawQuery());
    }
    return out.toString();
  }

  /**
   * A prefix in canonical form; a prefix without a path stands for the whole origin ({@code
   * http://host:8080} is {@code http://host:8080/}, so it does not allow {@code
   * http://host:8080.example}).
   */
  private static String canonicalPrefix(String prefix) {
    return canonical(prefix);
  }
}
