package io.valentia.chaos.experiment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads Chaos Toolkit experiments (JSON or YAML) and checks them completely: every problem is
 * reported with its path and line, nothing stops at the first. Thread-safe.
 */
public final class ExperimentLoader {
  private static final Set<String> TOP_LEVEL =
      Set.of(
          "version",
          "title",
          "description",
          "tags",
          "configuration",
          "secrets",
          "contributions",
          "extensions",
          "controls",
          "runtime",
          "steady-state-hypothesis",
          "method",
          "rollbacks");

  /**
   * The activity key that lets the run go on when the activity fails (Valentia's; Chaos Toolkit
   * itself ignores unknown activity keys).
   */
  public static final String TOLERATE_FAILURE = "tolerate_failure";

  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
  private static final ObjectMapper JSON = EventCodec.MAPPER;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final FaultCatalog faults;

  public ExperimentLoader(FaultCatalog faults) {
    this.faults = faults;
  }

  /**
   * What reading a file gave.
   *
   * @param experiment the experiment as written (placeholders in place); null when there are
   *     problems
   * @param problems every problem, in document order; empty when it is valid
   * @param document the parsed document; null when it could not be parsed
   */
  public record Loaded(Experiment experiment, List<ExperimentProblem> problems, JsonNode document) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /** Reads and checks {@code file}. */
  public Loaded load(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
    return parse(new String(bytes, StandardCharsets.UTF_8), yaml);
  }

  /** Reads and checks a document given as text. */
  public Loaded parse(String text, boolean yaml) {
    ObjectMapper mapper = yaml ? YAML : JSON;
    JsonNode document;
    try {
      document = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      var where = e.getLocation();
      String location = where == null ? null : where.getLineNr() + ":" + where.getColumnNr();
      return new Loaded(
          null,
          List.of(
              new ExperimentProblem(
                  "",
                  location,
                  "not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage())),
          null);
    }
    if (document == null || document.isMissingNode()) {
      return new Loaded(null, List.of(new ExperimentProblem("", "1:1", "the file is empty")), null);
    }
    SourceLocations locations;
    JsonFactory factory = mapper.getFactory();
    try (JsonParser parser = factory.createParser(text)) {
      locations = SourceLocations.read(parser);
    } catch (IOException e) {
      locations = SourceLocations.none();
    }
    return check(document, locations);
  }

  /** Checks an already parsed document (no line numbers). */
  public Loaded check(JsonNode document) {
    return check(document, SourceLocations.none());
  }

  /**
   * The experiment with its configuration and secrets substituted from {@code environment}, checked
   * again with every value in place: what a run executes.
   *
   * @throws InvalidExperimentException with every problem when it cannot run
   */
  public Experiment resolve(Loaded loaded, Map<String, String> environment, String file) {
    if (!loaded.valid()) {
      throw new InvalidExperimentException(file, loaded.problems());
    }
    List<ExperimentProblem> problems = new ArrayList<>();
    Configuration configuration =
        Configuration.resolve(loaded.document(), environment, problems, SourceLocations.none());
    Set<String> unknown = new LinkedHashSet<>();
    ObjectNode substituted = loaded.document().deepCopy();
    for (String key : List.of("steady-state-hypothesis", "method", "rollbacks")) {
      if (substituted.has(key)) {
        substituted.set(key, configuration.substitute(substituted.get(key), unknown));
      }
    }
    unknown.forEach(
        name ->
            problems.add(
                new ExperimentProblem(
                    "", null, "${" + name + "} has no value in configuration or secrets")));
    Checker checker = new Checker(SourceLocations.none(), false);
    Experiment experiment = checker.experiment(substituted);
    problems.addAll(checker.problems);
    if (!problems.isEmpty()) {
      throw new InvalidExperimentException(file, problems);
    }
    return new Experiment(
        experiment.title(),
        experiment.description(),
        experiment.tags(),
        experiment.hypothesis(),
        experiment.method(),
        experiment.rollbacks(),
        loaded.document(),
        configuration.redaction());
  }

  private Loaded check(JsonNode document, SourceLocations locations) {
    Checker checker = new Checker(locations, true);
    Experiment experiment = checker.experiment(document);
    if (document.isObject()) {
      // unresolvable configuration is reported by validate only when a placeholder uses it
      List<ExperimentProblem> configProblems = new ArrayList<>();
      Configuration.resolve(document, Map.of(), configProblems, locations);
      configProblems.stream()
          .filter(p -> !p.message().startsWith("environment variable"))
          .forEach(checker.problems::add);
    }
    List<ExperimentProblem> problems = checker.problems;
    problems.sort((a, b) -> compareLocations(a.location(), b.location()));
    return new Loaded(problems.isEmpty() ? experiment : null, List.copyOf(problems), document);
  }

  private static int compareLocations(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : 1) : -1;
    }
    String[] x = a.split(":");
    String[] y = b.split(":");
    int line = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
    return line != 0 ? line : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
  }

  /** One pass over a document, collecting problems. */
  private final class Checker {
    final SourceLocations locations;
    final boolean checking;
    final List<ExperimentProblem> problems = new ArrayList<>();
    final Map<String, JsonNode> named = new HashMap<>();

    Checker(SourceLocations locations, boolean checking) {
      this.locations = locations;
      this.checking = checking;
    }

    void problem(String path, String message) {
      problems.add(new ExperimentProblem(path, locations.of(path), message));
    }

    Experiment experiment(JsonNode doc) {
      if (!doc.isObject()) {
        problem("", "an experiment is a mapping with title, method and more, found " + kind(doc));
        return null;
      }
      for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!TOP_LEVEL.contains(key)) {
          problem(key, "unknown key (ignored by Chaos Toolkit too; check the spelling)");
        }
      }
      String title = requiredText(doc, "title", "title");
      String description = optionalText(doc, "description", "description");
      List<String> tags = new ArrayList<>();
      JsonNode tagNode = doc.path("tags");
      if (!tagNode.isMissingNode()) {
        if (!tagNode.isArray()) {
          problem("tags", "must be a list of strings");
        } else {
          for (int i = 0; i < tagNode.size(); i++) {
            if (!tagNode.get(i).isTextual()) {
              problem("tags[" + i + "]", "must be a string");
            } else {
              tags.add(tagNode.get(i).asText());
            }
          }
        }
      }
      checkMapping(doc, "configuration");
      JsonNode secrets = doc.path("secrets");
      if (checkMapping(doc, "secrets")) {
        secrets
            .fields()
            .forEachRemaining(
                ns -> {
                  if (!ns.getValue().isObject()) {
                    problem(
                        "secrets." + ns.getKey(),
                        "a secret namespace is a mapping of names to values");
                  }
                });
      }
      checkMapping(doc, "contributions");
      collectNames(doc);

      Experiment.Hypothesis hypothesis = null;
      JsonNode ssh = doc.path("steady-state-hypothesis");
      if (!ssh.isMissingNode()) {
        if (!ssh.isObject()) {
          problem("steady-state-hypothesis", "must be a mapping with title and probes");
        } else {
          String sshTitle = requiredText(ssh, "title", "steady-state-hypothesis.title");
          List<Activity> probes = new ArrayList<>();
          JsonNode list = ssh.path("probes");
          if (!list.isMissingNode() && !list.isArray()) {
            problem("steady-state-hypothesis.probes", "must be a list of probes");
          } else {
            for (int i = 0; i < list.size(); i++) {
              String path = "steady-state-hypothesis.probes[" + i + "]";
              Activity probe = activity(list.get(i), path);
              if (probe != null) {
                if (!probe.isProbe()) {
                  problem(
                      path + ".type",
                      "the steady-state hypothesis holds probes only, found an action");
                } else if (probe.tolerance() == null) {
                  problem(path, "a steady-state probe needs a tolerance");
                }
                probes.add(probe);
              }
            }
          }
          hypothesis = new Experiment.Hypothesis(sshTitle, probes);
        }
      }
      List<Activity> method = activities(doc, "method", true);
      List<Activity> rollbacks = activities(doc, "rollbacks", false);
      return new Experiment(
          title, description, List.copyOf(tags), hypothesis, method, rollbacks, doc);
    }

    private void collectNames(JsonNode doc) {
      List<JsonNode> all = new ArrayList<>();
      doc.path("steady-state-hypothesis").path("probes").forEach(all::add);
      doc.path("method").forEach(all::add);
      doc.path("rollbacks").forEach(all::add);
      for (JsonNode a : all) {
        if (a.isObject() && !a.has("ref") && a.path("name").isTextual()) {
          named.putIfAbsent(a.path("name").asText(), a);
        }
      }
    }

    private List<Activity> activities(JsonNode doc, String key, boolean required) {
      JsonNode list = doc.path(key);
      List<Activity> out = new ArrayList<>();
      if (list.isMissingNode() || list.isNull()) {
        if (required) {
          problem(key, "an experiment needs a method with at least one activity");
        }
        return out;
      }
      if (!list.isArray()) {
        problem(key, "must be a list of activities");
        return out;
      }
      if (required && list.isEmpty()) {
        problem(key, "an experiment needs a method with at least one activity");
      }
      for (int i = 0; i < list.size(); i++) {
        Activity a = activity(list.get(i), key + "[" + i + "]");
        if (a != null) {
          out.add(a);
        }
      }
      return out;
    }

    Activity activity(JsonNode node, String path) {
      if (!node.isObject()) {
        problem(path, "an activity is a mapping with type, name and provider, found " + kind(node));
        return null;
      }
      if (node.has("ref")) {
        JsonNode ref = node.get("ref");
        if (!ref.isTextual()) {
          problem(path + ".ref", "must be the name of another activity");
          return null;
        }
        JsonNode target = named.get(ref.asText());
        if (target == null) {
          problem(path + ".ref", "no activity is named " + ref.asText());
          return null;
        }
        // problems of the target are reported where it is declared
        Checker quiet = new Checker(SourceLocations.none(), checking);
        quiet.named.putAll(named);
        Activity resolved = quiet.activity(target, path);
        return resolved == null
            ? null
            : new Activity(
                resolved.name(),
                resolved.type(),
                resolved.provider(),
                resolved.pauseBefore(),
                resolved.pauseAfter(),
                resolved.background(),
                resolved.tolerance(),
                resolved.secrets(),
                path,
                resolved.toleratesFailure());
      }
      String type = node.path("type").asText("");
      if (!type.equals("action") && !type.equals("probe")) {
        problem(
            path + ".type",
            "must be action or probe, found " + (type.isEmpty() ? "nothing" : type));
      }
      String name = requiredText(node, "name", path + ".name");
      Provider provider = provider(node.path("provider"), path + ".provider", type, name);
      Duration before = Duration.ZERO;
      Duration after = Duration.ZERO;
      JsonNode pauses = node.path("pauses");
      if (!pauses.isMissingNode()) {
        if (!pauses.isObject()) {
          problem(path + ".pauses", "must be a mapping with before and/or after (seconds)");
        } else {
          before = pause(pauses, "before", path);
          after = pause(pauses, "after", path);
        }
      }
      boolean background = false;
      if (node.has("background")) {
        if (!node.get("background").isBoolean()) {
          problem(path + ".background", "must be true or false");
        } else {
          background = node.get("background").asBoolean();
        }
      }
      JsonNode tolerance = node.get("tolerance");
      if (tolerance != null) {
        if (!type.equals("probe")) {
          problem(path + ".tolerance", "only probes have a tolerance");
        }
        for (String p :
            Tolerances.problems(
                tolerance, (t, tp) -> probeToleranceProblems(t, tp), path + ".tolerance")) {
          problem(path + ".tolerance", p);
        }
      }
      List<String> secrets = new ArrayList<>();
      JsonNode secretRefs = node.path("secrets");
      if (!secretRefs.isMissingNode()) {
        if (!secretRefs.isArray()) {
          problem(path + ".secrets", "must be a list of secret namespaces");
        } else {
          secretRefs.forEach(s -> secrets.add(s.asText()));
        }
      }
      boolean toleratesFailure = false;
      if (node.has(TOLERATE_FAILURE)) {
        if (!node.get(TOLERATE_FAILURE).isBoolean()) {
          problem(path + "." + TOLERATE_FAILURE, "must be true or false");
        } else {
          toleratesFailure = node.get(TOLERATE_FAILURE).asBoolean();
        }
      }
      return new Activity(
          name,
          type,
          provider,
          before,
          after,
          background,
          tolerance,
          List.copyOf(secrets),
          path,
          toleratesFailure);
    }

    private List<String> probeToleranceProblems(JsonNode tolerance, String path) {
      Checker inner = new Checker(locations, checking);
      inner.named.putAll(named);
      ObjectNode copy = tolerance.deepCopy();
      copy.put("type", "probe");
      JsonNode provider = tolerance.path("provider");
      if (provider.isMissingNode()) {
        return List.of("provider: a probe tolerance needs a provider");
      }
      inner.provider(
          provider, path + ".provider", "probe", tolerance.path("name").asText("tolerance"));
      if (!tolerance.path("name").isTextual()) {
        inner.problem(path + ".name", "required");
      }
      inner.problems.forEach(problems::add);
      return List.of();
    }

    private Duration pause(JsonNode pauses, String key, String path) {
      JsonNode value = pauses.path(key);
      if (value.isMissingNode()) {
        return Duration.ZERO;
      }
      if (checking && value.isTextual() && value.asText().contains("${")) {
        return Duration.ZERO;
      }
      return Durations.parse(value)
          .orElseGet(
              () -> {
                problem(path + ".pauses." + key, "must be a number of seconds, found " + value);
                return Duration.ZERO;
              });
    }

    Provider provider(JsonNode node, String path, String activityType, String activityName) {
      if (node.isMissingNode()) {
        problem(path, "required");
        return null;
      }
      if (!node.isObject()) {
        problem(path, "must be a mapping with a type");
        return null;
      }
      String type = node.path("type").asText("");
      switch (type) {
        case "http" -> {
          String url = requiredText(node, "url", path + ".url");
          if (!url.isEmpty() && !url.contains("${") && !url.matches("(?i)https?://.+")) {
            problem(path + ".url", "must be an http:// or https:// URL, found " + url);
          }
          String method = node.path("method").asText("GET").toUpperCase(Locale.ROOT);
          if (!HTTP_METHODS.contains(method)) {
            problem(path + ".method", "must be one of " + HTTP_METHODS.stream().sorted().toList());
          }
          Map<String, String> headers = new java.util.LinkedHashMap<>();
          JsonNode h = node.path("headers");
          if (!h.isMissingNode()) {
            if (!h.isObject()) {
              problem(path + ".headers", "must be a mapping of header names to values");
            } else {
              h.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            }
          }
          Duration timeout = timeout(node, path);
          Integer expected = null;
          JsonNode es = node.path("expected_status");
          if (!es.isMissingNode()) {
            if (es.isInt()) {
              expected = es.asInt();
            } else if (!(checking && es.isTextual() && es.asText().contains("${"))) {
              problem(path + ".expected_status", "must be an HTTP status code");
            }
          }
          JsonNode arguments = node.get("arguments");
          return new Provider.Http(url, method, Map.copyOf(headers), arguments, timeout, expected);
        }
        case "process" -> {
          String exe = requiredText(node, "path", path + ".path");
          List<String> args = new ArrayList<>();
          JsonNode a = node.path("arguments");
          if (a.isTextual()) {
            args.addAll(splitArguments(a.asText()));
          } else if (a.isArray()) {
            a.forEach(x -> args.add(x.asText()));
          } else if (a.isObject()) {
            a.fields()
                .forEachRemaining(
                    e -> {
                      args.add(e.getKey());
                      if (!e.getValue().isNull() && !e.getValue().asText().isEmpty()) {
                        args.add(e.getValue().asText());
                      }
                    });
          } else if (!a.isMissingNode()) {
            problem(path + ".arguments", "must be a string, a list or a mapping");
          }
          Map<String, String> env = new java.util.LinkedHashMap<>();
          JsonNode e = node.path("env");
          if (!e.isMissingNode()) {
            if (!e.isObject()) {
              problem(path + ".env", "must be a mapping of variable names to values");
            } else {
              e.fields()
                  .forEachRemaining(
                      v -> {
                        if (!v.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                          problem(path + ".env." + v.getKey(), "not a variable name");
                        } else if (!v.getValue().isValueNode() || v.getValue().isNull()) {
                          problem(path + ".env." + v.getKey(), "must be a string or a number");
                        } else {
                          env.put(v.getKey(), v.getValue().asText());
                        }
                      });
            }
          }
          return new Provider.Process(
              exe,
              List.copyOf(args),
              timeout(node, path),
              java.util.Collections.unmodifiableMap(env));
        }
        case "python" -> {
          String module = node.path("module").asText("?");
          problem(
              path,
              "activity '"
                  + activityName
                  + "' needs the python provider ("
                  + module
                  + "."
                  + node.path("func").asText("?")
                  + "), which is not supported: Valentia runs http, process and valentia"
                  + " providers; the experiment will not run");
          return new Provider.Python(module, node.path("func").asText(""));
        }
        case "valentia" -> {
          boolean fault = node.has("fault");
          boolean probe = node.has("probe");
          if (fault == probe) {
            problem(path, "a valentia provider names either a fault (for an action) or a probe");
            return null;
          }
          Arguments args =
              checking
                  ? Arguments.checking(node.get("arguments"))
                  : Arguments.of(node.get("arguments"));
          if (fault) {
            String name = node.path("fault").asText("");
            if (!activityType.equals("action")) {
              problem(path + ".fault", "a fault is injected by an action, not a " + activityType);
            }
            faults.check(name, args).forEach(p -> problem(path + ".arguments", p));
            if (!faults.has(name)) {
              problems.removeIf(
                  p ->
                      p.path().equals(path + ".arguments")
                          && p.message().startsWith("unknown fault"));
              problem(
                  path + ".fault",
                  "unknown fault " + name + " (known: " + String.join(", ", faults.names()) + ")");
            }
            return new Provider.Fault(
                name,
                node.path("arguments").isMissingNode()
                    ? JSON.createObjectNode()
                    : node.get("arguments"));
          }
          String name = node.path("probe").asText("");
          if (!activityType.equals("probe")) {
            problem(path + ".probe", "an event-query probe is a probe, not an " + activityType);
          }
          if (!EventProbes.NAMES.contains(name)) {
            problem(
                path + ".probe",
                "unknown probe " + name + " (known: " + String.join(", ", EventProbes.NAMES) + ")");
          } else {
            EventProbes.check(name, args).forEach(p -> problem(path + ".arguments", p));
          }
          return new Provider.EventProbe(
              name,
              node.path("arguments").isMissingNode()
                  ? JSON.createObjectNode()
                  : node.get("arguments"));
        }
        default -> {
          problem(
              path + ".type",
              "must be http, process, python or valentia, found "
                  + (type.isEmpty() ? "nothing" : type));
          return null;
        }
      }
    }

    /** The activity's timeout; null when it gives none (the configured default applies). */
    private Duration timeout(JsonNode node, String path) {
      JsonNode t = node.path("timeout");
      if (t.isMissingNode() || t.isNull()) {
        return null;
      }
      if (t.isArray() && t.size() == 2 && t.get(1).isNumber()) {
        return Durations.parse(t.get(0))
            .orElse(Duration.ZERO)
            .plus(Durations.parse(t.get(1)).orElse(Duration.ZERO));
      }
      if (checking && t.isTextual() && t.asText().contains("${")) {
        return null;
      }
      return Durations.parse(t)
          .filter(d -> !d.isZero())
          .orElseGet(
              () -> {
                problem(path + ".timeout", "must be a positive number of seconds, found " + t);
                return null;
              });
    }

    private String requiredText(JsonNode node, String key, String path) {
      JsonNode value = node.path(key);
      if (value.isMissingNode() || value.isNull()) {
        problem(path, "required");
        return "";
      }
      if (!value.isTextual() || value.asText().isBlank()) {
        problem(path, "must be a non-empty string");
        return "";
      }
      return value.asText();
    }

    private String optionalText(JsonNode node, String key, String path) {
      JsonNode value = node.path(key);
      if (value.isMissingNode() || value.isNull()) {
        return null;
      }
      if (!value.isTextual()) {
        problem(path, "must be a string");
        return null;
      }
      return value.asText();
    }

    private boolean checkMapping(JsonNode doc, String key) {
      JsonNode value = doc.path(key);
      if (value.isMissingNode()) {
        return false;
      }
      if (!value.isObject()) {
        problem(key, "must be a mapping");
        return false;
      }
      return true;
    }
  }

  private static String kind(JsonNode node) {
    return node.isArray()
        ? "a list"
        : node.isObject() ? "a mapping" : node.isNull() ? "null" : node.toString();
  }

  /** Splits a command line on spaces, keeping quoted parts together (as shlex does, simply). */
  static List<String> splitArguments(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    char quote = 0;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          current.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        any = true;
      } else if (Character.isWhitespace(c)) {
        if (any || current.length() > 0) {
          out.add(current.toString());
          current.setLength(0);
          any = false;
        }
      } else {
        current.append(c);
      }
    }
    if (any || current.length() > 0) {
      out.add(current.toString());
    }
    return out;
  }
}
