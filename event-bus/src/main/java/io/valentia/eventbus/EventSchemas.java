package io.valentia.eventbus;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The JSON Schemas (draft 2020-12) of Valentia's event types, loaded from this jar. */
final class EventSchemas {
  static final String BASE_URI = "https://valentia.io/schemas/";

  private final Map<EventType, Validator> validators;

  private EventSchemas(Map<EventType, Validator> validators) {
    this.validators = validators;
  }

  static EventSchemas load() {
    Map<EventType, Validator> validators = new EnumMap<>(EventType.class);
    JsonSchemaOptions options =
        new JsonSchemaOptions()
            .setDraft(Draft.DRAFT202012)
            .setBaseUri(BASE_URI)
            .setOutputFormat(OutputFormat.Basic);
    for (EventType type : EventType.values()) {
      validators.put(type, Validator.create(JsonSchema.of(read(type)), options));
    }
    return new EventSchemas(validators);
  }

  /** The schema document of {@code type}, as shipped. */
  static JsonObject read(EventType type) {
    try (InputStream in = EventSchemas.class.getResourceAsStream(type.schemaResource())) {
      if (in == null) {
        throw new IllegalStateException("no schema on the classpath at " + type.schemaResource());
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every violation of {@code type}'s schema by {@code data}, each with its JSON pointer. */
  List<String> validate(EventType type, JsonNode data) {
    Object instance = EventCodec.MAPPER.convertValue(data, Object.class);
    if (instance instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> object = (Map<String, Object>) map;
      instance = new JsonObject(object);
    }
    OutputUnit result = validators.get(type).validate(instance);
    if (Boolean.TRUE.equals(result.getValid())) {
      return List.of();
    }
    Set<String> problems = new LinkedHashSet<>();
    collect(result, problems);
    if (problems.isEmpty()) {
      return List.of("data does not match the schema of " + type.type());
    }
    return List.copyOf(problems);
  }

  private static void collect(OutputUnit unit, Set<String> problems) {
    String error = unit.getError();
    // Basic output adds a generic "does not match schema" line above each concrete error
    if (error != null) {
      String where = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
      if (where.startsWith("#")) {
        where = where.substring(1);
      }
      problems.add("data" + where + ": " + error);
    }
    if (unit.getErrors() != null) {
      for (OutputUnit nested : unit.getErrors()) {
        collect(nested, problems);
      }
    }
  }
}
