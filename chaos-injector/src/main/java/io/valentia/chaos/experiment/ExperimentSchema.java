package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The structure of a Chaos Toolkit experiment as a JSON Schema (draft 2020-12, {@value #RESOURCE}
 * beside this class): which keys there are, which are required, and the type of each value. What
 * depends on values is {@link ExperimentChecker}'s.
 *
 * <p>Each violation becomes an {@link ExperimentProblem} at the path of the offending value ({@code
 * method[2].provider.url}), worded by the schema's own {@code x-messages}: by keyword, {@code *}
 * for any keyword, {@code null} for a null where a value is expected, {@code missing} on a required
 * key's schema for its absence; {@code {found}} stands for the value found (or {@code nothing}) and
 * {@code {kind}} for what it is. One problem per path, the first. Thread-safe.
 */
final class ExperimentSchema {
  static final String RESOURCE = "chaostoolkit-experiment.schema.json";
  private static final String MESSAGES = "x-messages";

  private static final ExperimentSchema INSTANCE = new ExperimentSchema();

  private final JsonNode document;
  private final Schema schema;

  private ExperimentSchema() {
    document = read();
    SchemaRegistryConfig config =
        SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build();
    Dialect dialect =
        Dialect.builder(Dialects.getDraft202012())
            .keyword(new NonValidationKeyword(MESSAGES))
            .build();
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            dialect,
            builder ->
                builder
                    .schemaRegistryConfig(config)
                    .schemaLoader(loader -> loader.fetchRemoteResources(false)));
    schema = registry.getSchema(SchemaLocation.of(document.path("$id").asText()), document);
    schema.initializeValidators();
  }

  static ExperimentSchema instance() {
    return INSTANCE;
  }

  /** The keys an experiment may have. */
  Set<String> topLevelKeys() {
    Set<String> keys = new LinkedHashSet<>();
    document.path("properties").fieldNames().forEachRemaining(keys::add);
    return Collections.unmodifiableSet(keys);
  }

  /** The schema document, as shipped. */
  JsonNode document() {
    return document;
  }

  /** Every structural problem of {@code experiment}, at most one per path. */
  List<ExperimentProblem> problems(JsonNode experiment, SourceLocations locations) {
    Map<String, String> byPath = new LinkedHashMap<>();
    for (Error error : schema.validate(experiment)) {
      Located at = locate(error, experiment);
      byPath.putIfAbsent(at.path(), message(error, at.value()));
    }
    List<ExperimentProblem> problems = new ArrayList<>();
    byPath.forEach((path, message) -> problems.add(problem(path, message, locations)));
    return problems;
  }

  private static ExperimentProblem problem(String path, String message, SourceLocations locations) {
    return new ExperimentProblem(path, locations.of(path), message);
  }

  /** The path of the value at fault, and that value as the document has it. */
  private record Located(String path, JsonNode value) {}

  /**
   * The value at fault: the instance's, or the missing or unknown key's under it for {@code
   * required} and {@code additionalProperties}.
   */
  private static Located locate(Error error, JsonNode experiment) {
    StringBuilder path = new StringBuilder();
    JsonNode node = experiment;
    NodePath at = error.getInstanceLocation();
    for (int i = 0; i < at.getNameCount(); i++) {
      Object element = at.getElement(i);
      if (node.isArray() && element instanceof Integer index) {
        path.append('[').append(index).append(']');
        node = node.path(index);
      } else {
        String key = String.valueOf(element);
        path.append(path.length() == 0 ? "" : ".").append(key);
        node = node.path(key);
      }
    }
    if (keyAtFault(error) && error.getProperty() != null) {
      path.append(path.length() == 0 ? "" : ".").append(error.getProperty());
      node = node.path(error.getProperty());
    }
    return new Located(path.toString(), node);
  }

  private static boolean keyAtFault(Error error) {
    return "required".equals(error.getKeyword())
        || "additionalProperties".equals(error.getKeyword());
  }

  /** The schema's wording for {@code error} about {@code value} (as the document has it). */
  private String message(Error error, JsonNode value) {
    JsonNode subschema = subschemaOf(error);
    JsonNode messages = subschema.path(MESSAGES);
    String keyword = error.getKeyword();
    String template = null;
    if ("required".equals(keyword)) {
      template =
          subschema
              .path("properties")
              .path(error.getProperty())
              .path(MESSAGES)
              .path("missing")
              .asText("required");
      if (subschema.path("properties").path(error.getProperty()).has("$ref")) {
        template =
            resolve(subschema.path("properties").path(error.getProperty()))
                .path(MESSAGES)
                .path("missing")
                .asText(template);
      }
      return template;
    }
    if ("type".equals(keyword) && value.isNull()) {
      template = messages.path("null").asText(null);
    }
    if (template == null) {
      template = messages.path(keyword).asText(null);
    }
    if (template == null) {
      template = messages.path("*").asText(null);
    }
    if (template == null) {
      return error.getMessage();
    }
    return template.replace("{found}", found(value)).replace("{kind}", kind(value));
  }

  /** The schema object holding the keyword that failed. */
  private JsonNode subschemaOf(Error error) {
    NodePath fragment = error.getSchemaLocation().getFragment();
    JsonNode node = document;
    for (int i = 0; i < fragment.getNameCount() - 1; i++) {
      Object element = fragment.getElement(i);
      node = element instanceof Integer index ? node.path(index) : node.path((String) element);
    }
    return node;
  }

  /** A local {@code $ref}'s target (the schema's own {@code #/$defs/...}). */
  private JsonNode resolve(JsonNode reference) {
    String ref = reference.path("$ref").asText("");
    return ref.startsWith("#") ? document.at(ref.substring(1)) : reference;
  }

  /** A value as a problem names it: its text, or {@code nothing} when it has none. */
  static String found(JsonNode value) {
    String text = value == null ? "" : value.asText("");
    return text.isEmpty() ? "nothing" : text;
  }

  /** What a value is, as a problem names it. */
  static String kind(JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    return node.isArray()
        ? "a list"
        : node.isObject() ? "a mapping" : node.isNull() ? "null" : node.toString();
  }

  private static JsonNode read() {
    try (InputStream in = ExperimentSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("no " + RESOURCE + " on the classpath");
      }
      return EventCodec.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
