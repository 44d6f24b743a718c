package io.valentia.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.faults.FaultCatalog;
import io.valentia.eventbus.EventCodec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The structure of an experiment as {@code chaostoolkit-experiment.schema.json} checks it, worded
 * as the loader always has: one problem per wrong value, at its path, and nothing else.
 */
class ExperimentSchemaTest {
  private static final String ACTION =
      """
      {"type": "action", "name": "a", "provider": {"type": "process", "path": "/bin/true"}}
      """;

  private final ExperimentLoader loader = new ExperimentLoader(FaultCatalog.standard());

  private static ObjectNode experiment() throws Exception {
    return (ObjectNode) json("{\"title\": \"t\", \"method\": [" + ACTION + "]}");
  }

  private static JsonNode json(String text) throws Exception {
    return EventCodec.MAPPER.readTree(text);
  }

  private List<String> problems(JsonNode document) {
    return loader.check(document).problems().stream().map(ExperimentProblem::toString).toList();
  }

  private List<String> withActivity(String activity) throws Exception {
    ObjectNode doc = experiment();
    doc.putArray("method").add(json(activity));
    return problems(doc);
  }

  private List<String> withProvider(String provider) throws Exception {
    return withActivity("{\"type\": \"action\", \"name\": \"a\", \"provider\": " + provider + "}");
  }

  @Test
  @DisplayName("A minimal experiment with one process action has no problem and is built")
  void minimal() throws Exception {
    ExperimentLoader.Loaded loaded = loader.check(experiment());

    assertThat(loaded.problems()).isEmpty();
    assertThat(loaded.experiment().method()).extracting(Activity::name).containsExactly("a");
  }

  @Test
  @DisplayName(
      "The document must be a mapping, with known keys, a non-blank title and a method of at least one activity")
  void document() throws Exception {
    assertThat(problems(json("[1]")))
        .containsExactly(
            "(document): an experiment is a mapping with title, method and more, found a list");
    assertThat(problems(experiment().put("colour", "red")))
        .containsExactly("colour: unknown key (ignored by Chaos Toolkit too; check the spelling)");
    ObjectNode untitled = experiment();
    untitled.remove("title");
    assertThat(problems(untitled)).containsExactly("title: required");
    assertThat(problems(experiment().putNull("title"))).containsExactly("title: required");
    assertThat(problems(experiment().put("title", " \u2003 ")))
        .containsExactly("title: must be a non-empty string");
    assertThat(problems(experiment().put("title", 5)))
        .containsExactly("title: must be a non-empty string");
    ObjectNode noMethod = experiment();
    noMethod.remove("method");
    assertThat(problems(noMethod))
        .containsExactly("method: an experiment needs a method with at least one activity");
    assertThat(problems(experiment().putNull("method")))
        .containsExactly("method: an experiment needs a method with at least one activity");
    ObjectNode empty = experiment();
    empty.putArray("method");
    assertThat(problems(empty))
        .containsExactly("method: an experiment needs a method with at least one activity");
    ObjectNode mapping = experiment();
    mapping.putObject("method");
    assertThat(problems(mapping)).containsExactly("method: must be a list of activities");
    assertThat(problems(experiment().putNull("rollbacks"))).isEmpty();
    assertThat(problems(experiment().put("rollbacks", "none")))
        .containsExactly("rollbacks: must be a list of activities");
  }

  @Test
  @DisplayName(
      "Description, tags, configuration, secrets, contributions and the hypothesis have their types")
  void sections() throws Exception {
    assertThat(problems(experiment().put("description", 5)))
        .containsExactly("description: must be a string");
    assertThat(problems(experiment().putNull("description"))).isEmpty();
    assertThat(problems(experiment().put("tags", "web")))
        .containsExactly("tags: must be a list of strings");
    ObjectNode tags = experiment();
    tags.putArray("tags").add("web").add(1);
    assertThat(problems(tags)).containsExactly("tags[1]: must be a string");
    assertThat(problems(experiment().put("configuration", "x")))
        .containsExactly("configuration: must be a mapping");
    assertThat(problems(experiment().put("contributions", 1)))
        .containsExactly("contributions: must be a mapping");
    assertThat(problems(experiment().set("secrets", json("[]"))))
        .containsExactly("secrets: must be a mapping");
    assertThat(problems(experiment().set("secrets", json("{\"vault\": \"token\"}"))))
        .containsExactly("secrets.vault: a secret namespace is a mapping of names to values");
    assertThat(problems(experiment().put("steady-state-hypothesis", "up")))
        .containsExactly("steady-state-hypothesis: must be a mapping with title and probes");
    assertThat(problems(experiment().set("steady-state-hypothesis", json("{}"))))
        .containsExactly("steady-state-hypothesis.title: required");
    assertThat(
            problems(
                experiment()
                    .set("steady-state-hypothesis", json("{\"title\": \"s\", \"probes\": {}}"))))
        .containsExactly("steady-state-hypothesis.probes: must be a list of probes");
  }

  @Test
  @DisplayName(
      "An activity is a mapping with a type, a name and a provider, or a reference by name, and its flags are booleans")
  void activities() throws Exception {
    assertThat(withActivity("\"x\""))
        .containsExactly(
            "method[0]: an activity is a mapping with type, name and provider, found \"x\"");
    assertThat(withActivity("{\"ref\": 5}"))
        .containsExactly("method[0].ref: must be the name of another activity");
    assertThat(
            withActivity(
                "{\"name\": \"a\", \"provider\": {\"type\": \"process\", \"path\": \"/x\"}}"))
        .containsExactly("method[0].type: must be action or probe, found nothing");
    assertThat(
            withActivity(
                "{\"type\": 5, \"name\": \"a\", \"provider\": {\"type\": \"process\", \"path\": \"/x\"}}"))
        .containsExactly("method[0].type: must be action or probe, found 5");
    assertThat(
            withActivity(
                "{\"type\": \"action\", \"provider\": {\"type\": \"process\", \"path\": \"/x\"}}"))
        .containsExactly("method[0].name: required");
    assertThat(withActivity("{\"type\": \"action\", \"name\": \"a\"}"))
        .containsExactly("method[0].provider: required");
    assertThat(withProvider("null"))
        .containsExactly("method[0].provider: must be a mapping with a type");
    String process = "\"provider\": {\"type\": \"process\", \"path\": \"/x\"}";
    assertThat(
            withActivity("{\"type\": \"action\", \"name\": \"a\", \"pauses\": 5, " + process + "}"))
        .containsExactly("method[0].pauses: must be a mapping with before and/or after (seconds)");
    assertThat(
            withActivity(
                "{\"type\": \"action\", \"name\": \"a\", \"background\": \"yes\", \"tolerate_failure\": 1, \"secrets\": \"vault\", "
                    + process
                    + "}"))
        .containsExactlyInAnyOrder(
            "method[0].background: must be true or false",
            "method[0].tolerate_failure: must be true or false",
            "method[0].secrets: must be a list of secret namespaces");
  }

  @Test
  @DisplayName(
      "A provider has a known type, an HTTP one a URL and header mapping, a process one a path")
  void providers() throws Exception {
    assertThat(withProvider("{}"))
        .containsExactly(
            "method[0].provider.type: must be http, process, python or valentia, found nothing");
    assertThat(withProvider("{\"type\": \"ftp\"}"))
        .containsExactly(
            "method[0].provider.type: must be http, process, python or valentia, found ftp");
    assertThat(withProvider("{\"type\": \"http\"}"))
        .containsExactly("method[0].provider.url: required");
    assertThat(
            withProvider("{\"type\": \"http\", \"url\": \"http://x/\", \"headers\": [\"a: b\"]}"))
        .containsExactly("method[0].provider.headers: must be a mapping of header names to values");
    assertThat(withProvider("{\"type\": \"process\", \"path\": \"\"}"))
        .containsExactly("method[0].provider.path: must be a non-empty string");
    assertThat(withProvider("{\"type\": \"process\", \"path\": \"/x\", \"arguments\": 5}"))
        .containsExactly("method[0].provider.arguments: must be a string, a list or a mapping");
  }

  @Test
  @DisplayName(
      "A probe tolerance needs a provider, and with one it needs a name and a well-formed provider")
  void probeTolerance() throws Exception {
    String probe =
        "{\"type\": \"probe\", \"name\": \"p\", \"provider\": {\"type\": \"process\", \"path\": \"/x\"}, \"tolerance\": ";
    assertThat(withActivity(probe + "{\"type\": \"probe\"}}"))
        .containsExactly("method[0].tolerance: provider: a probe tolerance needs a provider");
    assertThat(withActivity(probe + "{\"type\": \"probe\", \"provider\": {\"type\": \"http\"}}}"))
        .containsExactlyInAnyOrder(
            "method[0].tolerance.name: required", "method[0].tolerance.provider.url: required");
  }
}
