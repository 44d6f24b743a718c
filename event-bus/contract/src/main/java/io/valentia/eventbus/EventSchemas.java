package io.valentia.eventbus;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schemas (draft 2020-12) of Valentia's event types, loaded from this jar.
 *
 * <p>Validation works on the Jackson tree as decoded, without converting it, and is safe from any
 * number of threads. Schemas are only ever read from the classpath: an {@code $id} or {@code $ref}
 * under {@link #BASE_URI} resolves to {@code /schemas/} in this jar, and nothing is fetched from
 * the network.
 */
final class EventSchemas {
  static final String BASE_URI = "https://valentia.io/schemas/";

  private final Map<EventType, Schema> schemas;

  private EventSchemas(Map<EventType, Schema> schemas) {
    this.schemas = schemas;
  }

  static EventSchemas load() {
    SchemaRegistryConfig config =
        SchemaRegistryConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .formatAssertionsEnabled(true)
            .losslessNarrowing(true)
            .build();
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder ->
                builder
                    .schemaRegistryConfig(config)
                    .schemaLoader(
                        loader ->
                            loader
                                .fetchRemoteResources(false)
                                .schemaIdResolvers(
                                    ids -> ids.mapPrefix(BASE_URI, "classpath:schemas/"))));
    Map<EventType, Schema> schemas = new EnumMap<>(EventType.class);
    for (EventType type : EventType.values()) {
      Schema schema =
          registry.getSchema(SchemaLocation.of(BASE_URI + type.type() + ".json"), read(type));
      schema.initializeValidators();
      schemas.put(type, schema);
    }
    return new EventSchemas(schemas);
  }

  /** The schema document of {@code type}, as shipped. */
  static JsonNode read(EventType type) {
    try (InputStream in = EventSchemas.class.getResourceAsStream(type.schemaResource())) {
      if (in == null) {
        throw new IllegalStateException("no schema on the classpath at " + type.schemaResource());
      }
      return EventCodec.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every violation of {@code type}'s schema by {@code data}, each as {@code data<pointer>: <what>}
   * with the JSON pointer of the offending value ({@code data} alone for the payload itself).
   */
  List<String> validate(EventType type, JsonNode data) {
    List<Error> errors = schemas.get(type).validate(data);
    if (errors.isEmpty()) {
      return List.of();
    }
    Set<String> problems = new LinkedHashSet<>();
    for (Error error : errors) {
      problems.add("data" + error.getInstanceLocation() + ": " + describe(error));
    }
    return List.copyOf(problems);
  }

  private static String describe(Error error) {
    String keyword = error.getKeyword();
    if ("required".equals(keyword) && error.getProperty() != null) {
      return "Instance does not have required property \"" + error.getProperty() + "\"";
    }
    if ("format".equals(keyword) && error.getSchemaNode() != null) {
      return "String does not match format \"" + error.getSchemaNode().asText() + "\"";
    }
    if ("false".equals(keyword)) {
      return "is not allowed here";
    }
    return error.getMessage();
  }
}
