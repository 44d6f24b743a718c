package io.valentia.web.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.eventbus.EventCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one OpenAPI document of {@code /api/v1}, merged when the web server starts from the web
 * module's own document and the fragments every other module ships.
 *
 * <p>A module lists its fragments, one classpath resource a line ({@code #} starts a comment), in
 * {@value #INDEX}. A fragment is an OpenAPI document of its own (JSON, or YAML when its name ends
 * in {@code .yaml} or {@code .yml}) whose paths are relative to its {@code servers[0].url} (e.g.
 * {@code /api/v1}; none: as written). Its paths, tags and components join the document; its {@code
 * info}, {@code servers} and {@code security} do not: every route under {@code /api/v1} is behind
 * the same gateway, which the web document describes once. A path or component two modules both
 * describe differently is an error: the document would lie about one of them.
 */
public final class ApiDescription {
  /** Where each module lists its fragments. */
  public static final String INDEX = "META-INF/valentia/openapi-fragments";

  /** The web module's own document: the base the fragments join. */
  static final String BASE = "io/valentia/web/openapi.json";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> OPERATIONS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private ApiDescription() {}

  /**
   * Reads and merges the document from {@code loader}'s classpath.
   *
   * @throws IllegalStateException listing every conflict between fragments, or naming a fragment
   *     that is missing or does not parse
   */
  public static ObjectNode load(ClassLoader loader) {
    ObjectNode document = (ObjectNode) read(loader, BASE);
    List<String> problems = new ArrayList<>();
    for (String fragment : fragments(loader)) {
      merge(document, fragment, read(loader, fragment), problems);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "the OpenAPI fragments disagree: " + String.join("; ", problems));
    }
    return document;
  }

  /** Every fragment the modules on the classpath list, in classpath order. */
  static List<String> fragments(ClassLoader loader) {
    Set<String> out = new LinkedHashSet<>();
    try {
      for (URL index : Collections.list(loader.getResources(INDEX))) {
        try (BufferedReader lines =
            new BufferedReader(new InputStreamReader(index.openStream(), StandardCharsets.UTF_8))) {
          lines
              .lines()
              .map(line -> line.replaceFirst("#.*", "").trim())
              .filter(line -> !line.isEmpty())
              .forEach(out::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + INDEX, e);
    }
    return List.copyOf(out);
  }

  private static JsonNode read(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the OpenAPI fragment " + resource + " is missing");
      }
      ObjectMapper mapper =
          resource.endsWith(".yaml") || resource.endsWith(".yml") ? YAML : EventCodec.MAPPER;
      JsonNode tree = mapper.readTree(in);
      if (tree == null || !tree.isObject()) {
        throw new IllegalStateException("the OpenAPI fragment " + resource + " is not an object");
      }
      return tree;
    } catch (IOException e) {
      throw new IllegalStateException(
          "the OpenAPI fragment " + resource + " does not parse: " + e.getMessage(), e);
    }
  }

  static void merge(ObjectNode document, String name, JsonNode fragment, List<String> problems) {
    String prefix = fragment.path("servers").path(0).path("url").asText("");
    if (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    ObjectNode paths = document.withObjectProperty("paths");
    for (Iterator<Map.Entry<String, JsonNode>> it = fragment.path("paths").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String path = prefix + entry.getKey();
      if (!paths.has(path)) {
        paths.set(path, entry.getValue().deepCopy());
        continue;
      }
      ObjectNode existing = (ObjectNode) paths.get(path);
      for (Iterator<Map.Entry<String, JsonNode>> ops = entry.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        JsonNode before = existing.get(op.getKey());
        if (before == null) {
          existing.set(op.getKey(), op.getValue().deepCopy());
        } else if (!before.equals(op.getValue())) {
          problems.add(
              name
                  + ": "
                  + (OPERATIONS.contains(op.getKey()) ? op.getKey().toUpperCase() + " " : "")
                  + path
                  + " is described twice, differently");
        }
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> kinds = fragment.path("components").fields();
        kinds.hasNext(); ) {
      Map.Entry<String, JsonNode> kind = kinds.next();
      ObjectNode into = document.withObjectProperty("components").withObjectProperty(kind.getKey());
      for (Iterator<Map.Entry<String, JsonNode>> it = kind.getValue().fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> component = it.next();
        JsonNode before = into.get(component.getKey());
        if (before == null) {
          into.set(component.getKey(), component.getValue().deepCopy());
        } else if (!before.equals(component.getValue())) {
          problems.add(
              name
                  + ": components."
                  + kind.getKey()
                  + "."
                  + component.getKey()
                  + " differs from the one another module describes");
        }
      }
    }
    if (fragment.path("tags").isArray()) {
      ArrayNode tags = document.withArrayProperty("tags");
      Set<String> known = new LinkedHashSet<>();
      tags.forEach(t -> known.add(t.path("name").asText()));
      for (JsonNode tag : fragment.path("tags")) {
        if (known.add(tag.path("name").asText())) {
          tags.add(tag.deepCopy());
        }
      }
    }
  }
}
