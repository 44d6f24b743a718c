package io.valentia.eventbus;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.valentia.eventbus.InvalidEventException.Reason;
import io.valentia.eventbus.payload.EventPayload;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and writes {@link CloudEvent}s in CloudEvents 1.0 JSON structured mode, validating at the
 * boundary: the envelope against the CloudEvents specification and, for Valentia's own types, the
 * {@code data} against the type's JSON Schema. Every problem is reported at once.
 *
 * <p>Thread-safe; one shared instance is enough ({@link #instance()}).
 */
public final class EventCodec {
  /** The JSON mapper for events and payloads: ISO-8601 times, nulls left out, unknown fields ok. */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private static final Set<String> CORE =
      Set.of(
          "specversion",
          "id",
          "source",
          "type",
          "time",
          "subject",
          "datacontenttype",
          "data",
          "severity",
          "experimentid",
          "incidentid");
  private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z0-9]{1,20}");
  private static final EventCodec INSTANCE = new EventCodec(EventSchemas.load());

  private final EventSchemas schemas;

  private EventCodec(EventSchemas schemas) {
    this.schemas = schemas;
  }

  /** The shared codec, with every schema of {@link EventType} loaded. */
  public static EventCodec instance() {
    return INSTANCE;
  }

  /**
   * Parses and validates one event.
   *
   * @throws InvalidEventException naming every problem found
   */
  public CloudEvent decode(byte[] bytes) {
    if (bytes == null) {
      throw new InvalidEventException(Reason.NOT_JSON, "the record has no value");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new InvalidEventException(Reason.NOT_JSON, describe(e));
    }
    return decode(tree);
  }

  /** Parses and validates one event from a string. */
  public CloudEvent decode(String json) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidEventException(Reason.NOT_JSON, describe(e));
    }
    return decode(tree);
  }

  /**
   * The {@code type} attribute of a serialized event, read without parsing or validating the rest;
   * null when the bytes are not a JSON object with a string {@code type}. For readers that only
   * want some types of a long log.
   */
  public static String peekType(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try (com.fasterxml.jackson.core.JsonParser parser = MAPPER.getFactory().createParser(bytes)) {
      if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        com.fasterxml.jackson.core.JsonToken value = parser.nextToken();
        if ("type".equals(name)) {
          return value == com.fasterxml.jackson.core.JsonToken.VALUE_STRING
              ? parser.getText()
              : null;
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Validates a JSON tree as one event. */
  public CloudEvent decode(JsonNode tree) {
    CloudEvent event = decodeEnvelope(tree);
    validateData(event);
    return event;
  }

  /**
   * Parses one event validating its envelope only, not its {@code data} against the type's schema:
   * for consumers of records a validating publisher wrote, where the schema check would dominate
   * the cost of reading (an indexer).
   *
   * @throws InvalidEventException naming every envelope problem found
   */
  public CloudEvent decodeEnvelope(byte[] bytes) {
    if (bytes == null) {
      throw new InvalidEventException(Reason.NOT_JSON, "the record has no value");
    }
    try {
      return decodeEnvelope(MAPPER.readTree(bytes));
    } catch (IOException e) {
      throw new InvalidEventException(Reason.NOT_JSON, describe(e));
    }
  }

  /**
   * Validates a parsed tree's envelope only, like {@link #decodeEnvelope(byte[])}.
   *
   * @throws InvalidEventException naming every envelope problem found
   */
  public CloudEvent decodeEnvelope(JsonNode tree) {
    if (tree == null || tree.isMissingNode()) {
      throw new InvalidEventException(Reason.NOT_JSON, "the record is empty");
    }
    if (!tree.isObject()) {
      throw new InvalidEventException(
          Reason.NOT_CLOUDEVENT,
          "a structured-mode CloudEvent is a JSON object, found " + tree.getNodeType());
    }
    List<String> problems = new ArrayList<>();
    JsonNode specVersion = tree.get("specversion");
    if (specVersion == null) {
      problems.add("specversion is missing");
    } else if (!specVersion.isTextual() || !CloudEvent.SPEC_VERSION.equals(specVersion.asText())) {
      problems.add("specversion must be \"1.0\", found " + specVersion);
    }
    String id = requiredString(tree, "id", problems);
    String source = requiredString(tree, "source", problems);
    if (source != null) {
      try {
        new URI(source);
      } catch (URISyntaxException e) {
        problems.add("source is not a URI-reference: " + e.getMessage());
      }
    }
    String type = requiredString(tree, "type", problems);
    Instant time = null;
    String timeText = optionalString(tree, "time", problems);
    if (timeText != null) {
      try {
        time = Rfc3339.parse(timeText);
      } catch (DateTimeParseException e) {
        problems.add("time is not an RFC 3339 timestamp: " + timeText);
      }
    }
    String subject = optionalString(tree, "subject", problems);
    String dataContentType = optionalString(tree, "datacontenttype", problems);
    Severity severity = null;
    String severityText = optionalString(tree, "severity", problems);
    if (severityText != null) {
      severity = Severity.parse(severityText).orElse(null);
      if (severity == null) {
        problems.add("severity must be info, warning or critical, found \"" + severityText + "\"");
      }
    }
    String experimentId = optionalString(tree, "experimentid", problems);
    String incidentId = optionalString(tree, "incidentid", problems);
    Map<String, JsonNode> extensions = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (CORE.contains(name) || field.getValue().isNull()) {
        continue; // a null attribute is unset (CloudEvents JSON format, 2.2)
      }
      if (name.equals("data_base64")) {
        if (tree.has("data")) {
          problems.add("data and data_base64 must not both be present");
        }
      } else if (!ATTRIBUTE_NAME.matcher(name).matches()) {
        problems.add(
            "attribute name \""
                + name
                + "\" is not 1 to 20 lower-case letters or digits (CloudEvents naming)");
      } else if (field.getValue().isContainerNode()) {
        problems.add("attribute " + name + " must be a string, number or boolean");
      }
      extensions.put(name, field.getValue());
    }
    JsonNode data = tree.get("data");
    if (data != null && data.isNull()) {
      data = null;
    }
    if (!problems.isEmpty()) {
      throw new InvalidEventException(Reason.NOT_CLOUDEVENT, problems);
    }
    CloudEvent event =
        new CloudEvent(
            id,
            source,
            type,
            time,
            subject,
            dataContentType,
            severity,
            experimentId,
            incidentId,
            extensions,
            data);
    return event;
  }

  /**
   * Checks {@code data} of an event of one of Valentia's types against its JSON Schema; events of
   * users' own types pass with any data.
   *
   * @throws InvalidEventException with every schema violation
   */
  public void validateData(CloudEvent event) {
    if (!EventType.isValentiaNamespace(event.type())) {
      return;
    }
    EventType type =
        EventType.of(event.type())
            .orElseThrow(
                () ->
                    new InvalidEventException(
                        Reason.UNKNOWN_TYPE,
                        "type "
                            + event.type()
                            + " is in Valentia's namespace but is not one this version knows"));
    List<String> problems = new ArrayList<>();
    if (event.dataContentType() != null && !isJson(event.dataContentType())) {
      problems.add("datacontenttype must be application/json, found " + event.dataContentType());
    }
    if (event.data() == null) {
      problems.add("data is missing");
    } else {
      problems.addAll(schemas.validate(type, event.data()));
    }
    if (!problems.isEmpty()) {
      throw new InvalidEventException(Reason.SCHEMA_INVALID, problems);
    }
  }

  /** The event as a CloudEvents JSON object. */
  public ObjectNode toJson(CloudEvent event) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("specversion", CloudEvent.SPEC_VERSION);
    json.put("id", event.id());
    json.put("source", event.source());
    json.put("type", event.type());
    if (event.time() != null) {
      json.put("time", DateTimeFormatter.ISO_INSTANT.format(event.time()));
    }
    if (event.subject() != null) {
      json.put("subject", event.subject());
    }
    if (event.dataContentType() != null) {
      json.put("datacontenttype", event.dataContentType());
    }
    if (event.severity() != null) {
      json.put("severity", event.severity().value());
    }
    if (event.experimentId() != null) {
      json.put("experimentid", event.experimentId());
    }
    if (event.incidentId() != null) {
      json.put("incidentid", event.incidentId());
    }
    event.extensions().forEach(json::set);
    if (event.data() != null) {
      json.set("data", event.data());
    }
    return json;
  }

  /** The event as UTF-8 JSON bytes, ready for a Kafka record value. */
  public byte[] encode(CloudEvent event) {
    try {
      return MAPPER.writeValueAsBytes(toJson(event));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an event tree always serializes", e);
    }
  }

  /** The event as a JSON string. */
  public String encodeToString(CloudEvent event) {
    return toJson(event).toString();
  }

  /** The typed payload of an event of one of Valentia's types; empty for users' own types. */
  public Optional<EventPayload> payload(CloudEvent event) {
    return EventType.of(event.type()).map(type -> payload(event, type.payloadClass()));
  }

  /**
   * The payload as {@code payloadClass}.
   *
   * @throws InvalidEventException when the data does not map onto the class
   */
  public <T extends EventPayload> T payload(CloudEvent event, Class<T> payloadClass) {
    try {
      return MAPPER.treeToValue(event.data(), payloadClass);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidEventException(Reason.SCHEMA_INVALID, describe(e));
    }
  }

  /** {@code application/json} or any {@code +json} media type, parameters aside. */
  static boolean isJson(String mediaType) {
    String type = mediaType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return type.equals(CloudEvent.JSON) || type.endsWith("+json");
  }

  /** Whether {@code name} is a valid CloudEvents attribute name. */
  static boolean isAttributeName(String name) {
    return ATTRIBUTE_NAME.matcher(name).matches();
  }

  private static String requiredString(JsonNode tree, String name, List<String> problems) {
    JsonNode node = tree.get(name);
    if (node == null || node.isNull()) {
      problems.add(name + " is missing");
      return null;
    }
    if (!node.isTextual() || node.asText().isEmpty()) {
      problems.add(name + " must be a non-empty string");
      return null;
    }
    return node.asText();
  }

  private static String optionalString(JsonNode tree, String name, List<String> problems) {
    JsonNode node = tree.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.asText().isEmpty()) {
      problems.add(name + " must be a non-empty string when present");
      return null;
    }
    return node.asText();
  }

  private static String describe(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
