package io.valentia.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.valentia.eventbus.InvalidEventException.Reason;
import io.valentia.eventbus.payload.Container;
import io.valentia.eventbus.payload.EventPayload;
import io.valentia.eventbus.payload.LsmDenied;
import io.valentia.eventbus.payload.SyscallDenied;
import io.valentia.eventbus.testing.SampleEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The event contract: every Valentia event type, its JSON Schema and the codec")
class EventContractTest {
  private static final EventCodec CODEC = EventCodec.instance();
  private static final EventSchemas SCHEMAS = EventSchemas.load();
  private static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";
  private static final Instant T0 = Instant.parse("2025-03-14T09:26:53.589793Z");
  private static final Container SYSTEMD_UNIT =
      new Container(null, "systemd", "/system.slice/vrserver.service");

  // ---------------------------------------------------------------------------------------------
  // round trips

  @Nested
  @DisplayName("Round trips")
  class RoundTrips {

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName(
        "A sample with every component filled is accepted by its schema and survives the codec unchanged.")
    void fullSampleRoundTrips(EventType type) {
      EventPayload payload = SampleEvents.payload(type);
      assertEveryComponentFilled(payload, type.name());
      assertRoundTrip(type, payload);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName(
        "A sample with every nullable component null is accepted by its schema and survives the codec unchanged.")
    void minimalSampleRoundTrips(EventType type) {
      assertRoundTrip(type, SampleEvents.minimal(type));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
        value = EventType.class,
        names = {"PROBE_SYSCALL_DENIED", "PROBE_LSM_DENIED"})
    @DisplayName("A systemd unit's container, which has no id, is accepted and survives the codec.")
    void containerWithoutIdRoundTrips(EventType type) {
      EventPayload payload =
          switch (type) {
            case PROBE_SYSCALL_DENIED ->
                new SyscallDenied(
                    "mount",
                    165,
                    "aarch64",
                    "KILL_THREAD",
                    null,
                    77L,
                    "vrmonitor",
                    null,
                    0L,
                    SYSTEMD_UNIT,
                    null,
                    2,
                    T0,
                    T0.plusSeconds(1));
            case PROBE_LSM_DENIED ->
                new LsmDenied(
                    "apparmor",
                    "file_mmap",
                    "steamvr",
                    null,
                    null,
                    null,
                    "/dev/shm/vr",
                    "rw",
                    "w",
                    "audit",
                    null,
                    0L,
                    "vrserver",
                    null,
                    SYSTEMD_UNIT,
                    5,
                    T0,
                    T0);
            default -> throw new IllegalArgumentException(type.name());
          };
      assertRoundTrip(type, payload);
      assertThat(CloudEvent.of(payload).source("/test").build().data().get("container").has("id"))
          .isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName(
        "The JSON of a full sample has exactly the properties its schema lists, nested objects included.")
    void fullSampleHasEveryPropertyOfTheSchema(EventType type) {
      JsonNode schema = schemaOf(type);
      JsonNode data = EventCodec.MAPPER.valueToTree(SampleEvents.payload(type));
      assertKeys(schema, schema, data, true, type.type());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName(
        "The JSON of a sample with every nullable component null has exactly the required properties of its schema.")
    void minimalSampleHasExactlyTheRequiredProperties(EventType type) {
      JsonNode schema = schemaOf(type);
      JsonNode data = EventCodec.MAPPER.valueToTree(SampleEvents.minimal(type));
      assertKeys(schema, schema, data, false, type.type());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName(
        "Unknown properties in data are accepted and ignored, so producers can add fields.")
    void unknownPropertiesAreAccepted(EventType type) {
      EventPayload payload = SampleEvents.payload(type);
      ObjectNode envelope = envelopeOf(payload);
      ObjectNode data = (ObjectNode) envelope.get("data");
      data.put("addedInAFutureVersion", 1);
      data.putObject("anotherOne").put("nested", true);

      CloudEvent decoded = CODEC.decode(bytes(envelope));

      assertThat(CODEC.payload(decoded)).contains(payload);
    }

    private void assertRoundTrip(EventType type, EventPayload payload) {
      assertThat(payload.eventType()).isEqualTo(type);
      assertThat(type.payloadClass()).isEqualTo(payload.getClass());
      CloudEvent event = CloudEvent.of(payload).source("/test").subject("s").build();
      assertThat(SCHEMAS.validate(type, event.data())).as("schema problems").isEmpty();

      byte[] bytes = CODEC.encode(event);
      CloudEvent decoded = CODEC.decode(bytes);

      assertThat(decoded.id()).isEqualTo(event.id());
      assertThat(decoded.source()).isEqualTo("/test");
      assertThat(decoded.type()).isEqualTo(type.type());
      assertThat(decoded.time()).isEqualTo(event.time()).isNotNull();
      assertThat(decoded.subject()).isEqualTo("s");
      assertThat(decoded.severity()).isEqualTo(type.defaultSeverity());
      assertThat(decoded.dataContentType()).isEqualTo(CloudEvent.JSON);
      assertThat(decoded.experimentId()).isNull();
      assertThat(decoded.incidentId()).isNull();
      assertThat(decoded.extensions()).isEmpty();
      assertThat(decoded.data().toString()).isEqualTo(event.data().toString());
      assertThat(CODEC.payload(decoded)).contains(payload);
      assertThat(CODEC.payload(decoded, type.payloadClass())).isEqualTo(payload);
      assertThat(SCHEMAS.validate(type, decoded.data())).isEmpty();
      assertThat(CODEC.encode(decoded)).as("encoding again gives the same bytes").isEqualTo(bytes);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // schema files

  @Nested
  @DisplayName("Schema files")
  class SchemaFiles {

    @Test
    @DisplayName(
        "Every event type has a schema file and every schema file belongs to an event type.")
    void schemaFilesMatchEventTypes() throws IOException, URISyntaxException {
      Set<String> expected =
          Arrays.stream(EventType.values())
              .map(type -> type.type() + ".json")
              .collect(Collectors.toCollection(TreeSet::new));
      // the schemas are in the event-contract jar, or its classes directory in an IDE
      URI schemas = EventContractTest.class.getResource("/schemas").toURI();
      Set<String> files;
      try (FileSystem jar =
              schemas.getScheme().equals("jar")
                  ? FileSystems.newFileSystem(schemas, Map.of())
                  : null;
          Stream<Path> list = Files.list(Path.of(schemas))) {
        files =
            list.map(p -> p.getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
      }

      assertThat(files).containsExactlyElementsOf(expected);
      for (EventType type : EventType.values()) {
        assertThat(EventContractTest.class.getResource(type.schemaResource()))
            .as(type.schemaResource())
            .isNotNull();
      }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName(
        "Each schema declares draft 2020-12, its own $id under the base URI and the payload record's name as title.")
    void schemaIdentity(EventType type) {
      JsonNode schema = schemaOf(type);

      assertThat(schema.path("$schema").asText()).isEqualTo(DRAFT_2020_12);
      assertThat(schema.path("$id").asText())
          .isEqualTo(EventSchemas.BASE_URI + type.type() + ".json")
          .isEqualTo("https://valentia.io/schemas/" + type.type() + ".json");
      assertThat(schema.path("title").asText()).isEqualTo(type.payloadClass().getSimpleName());
      assertThat(schema.path("description").asText()).isNotBlank();
      assertThat(schema.path("type").asText()).isEqualTo("object");
      assertThat(EventSchemas.read(type).path("$id").asText())
          .isEqualTo(schema.path("$id").asText());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName(
        "Each schema describes every property, requires only listed ones and never forbids unknown properties.")
    void schemaShape(EventType type) {
      JsonNode schema = schemaOf(type);
      List<JsonNode> objects = new ArrayList<>();
      objects.add(schema);
      schema.path("$defs").forEach(objects::add);

      for (JsonNode object : objects) {
        assertThat(object.path("type").asText()).isEqualTo("object");
        assertThat(object.path("description").asText()).isNotBlank();
        assertThat(object.has("additionalProperties"))
            .as("additionalProperties in %s", type)
            .isFalse();
        assertThat(object.has("unevaluatedProperties")).isFalse();
        Set<String> properties = fieldNames(object.path("properties"));
        assertThat(properties).isNotEmpty();
        assertThat(elements(object.path("required"))).isSubsetOf(properties);
        object
            .path("properties")
            .fields()
            .forEachRemaining(
                property ->
                    assertThat(property.getValue().path("description").asText())
                        .as("description of %s in %s", property.getKey(), type)
                        .isNotBlank());
      }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(EventType.class)
    @DisplayName("Each schema's properties are exactly the components of the payload record.")
    void schemaPropertiesAreTheRecordComponents(EventType type) {
      Set<String> components =
          Arrays.stream(type.payloadClass().getRecordComponents())
              .map(RecordComponent::getName)
              .collect(Collectors.toSet());

      assertThat(fieldNames(schemaOf(type).path("properties")))
          .containsExactlyInAnyOrderElementsOf(components);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // invalid data

  /** One way to break the data of a valid sample, and the property the problem must name. */
  record Breakage(EventType type, String what, String property, Consumer<ObjectNode> breaker) {
    @Override
    public String toString() {
      return type.type() + ": " + what;
    }
  }

  static Stream<Breakage> breakages() {
    return Stream.of(
        new Breakage(EventType.PROBE_MTU_PING, "peer missing", "peer", data -> data.remove("peer")),
        new Breakage(
            EventType.PROBE_MTU_PING,
            "sizeBytes as a string",
            "sizeBytes",
            data -> data.put("sizeBytes", "8972")),
        new Breakage(EventType.PROBE_MTU_PING, "mode tcp", "mode", data -> data.put("mode", "tcp")),
        new Breakage(
            EventType.PROBE_MTU_PING,
            "direction sideways",
            "direction",
            data -> data.put("direction", "sideways")),
        new Breakage(
            EventType.PROBE_MTU_PING,
            "a round-trip time on a lost ping",
            "rttMicros",
            data -> data.put("ok", false).put("direction", "in")),
        new Breakage(
            EventType.PROBE_MTU_PING,
            "a negative size",
            "sizeBytes",
            data -> data.put("sizeBytes", -1)),
        new Breakage(
            EventType.PROBE_MTU_MISMATCH,
            "estimatedPathMtu missing",
            "estimatedPathMtu",
            data -> data.remove("estimatedPathMtu")),
        new Breakage(
            EventType.PROBE_OSD_PING,
            "averageMs.m5 as a string",
            "averageMs",
            data -> ((ObjectNode) data.get("averageMs")).put("m5", "fast")),
        new Breakage(
            EventType.PROBE_OSD_PING, "iface public", "iface", data -> data.put("iface", "public")),
        new Breakage(
            EventType.PROBE_SYSCALL_DENIED, "count 0", "count", data -> data.put("count", 0)),
        new Breakage(
            EventType.PROBE_SYSCALL_DENIED,
            "action DENY",
            "action",
            data -> data.put("action", "DENY")),
        new Breakage(
            EventType.PROBE_SYSCALL_DENIED,
            "arch not a name nor hex",
            "arch",
            data -> data.put("arch", "sparc-ish")),
        new Breakage(
            EventType.PROBE_SYSCALL_DENIED,
            "firstSeen not a date-time",
            "firstSeen",
            data -> data.put("firstSeen", "yesterday")),
        new Breakage(
            EventType.PROBE_SYSCALL_DENIED,
            "an errno on a KILL_PROCESS action",
            "errno",
            data -> data.put("action", "KILL_PROCESS")),
        new Breakage(
            EventType.PROBE_LSM_DENIED,
            "container runtime lxc",
            "container",
            data -> ((ObjectNode) data.get("container")).put("runtime", "lxc")),
        new Breakage(
            EventType.PROBE_LSM_DENIED, "lsm smack", "lsm", data -> data.put("lsm", "smack")),
        new Breakage(
            EventType.PROBE_FRAME_STATS, "frames -1", "frames", data -> data.put("frames", -1)),
        new Breakage(
            EventType.PROBE_FRAME_DROPPED,
            "source steam",
            "source",
            data -> data.put("source", "steam")),
        new Breakage(
            EventType.LEASE_GRANTED,
            "lessee without a name",
            "lessee",
            data -> ((ObjectNode) data.get("lessee")).remove("name")),
        new Breakage(
            EventType.LEASE_GRANTED,
            "expiresAt not a date-time",
            "expiresAt",
            data -> data.put("expiresAt", "tomorrow")),
        new Breakage(
            EventType.LEASE_GRANTED, "empty leaseId", "leaseId", data -> data.put("leaseId", "")),
        new Breakage(
            EventType.LEASE_REVOKED,
            "reason lessee-vanished",
            "reason",
            data -> data.put("reason", "lessee-vanished")),
        new Breakage(
            EventType.CHAOS_EXPERIMENT_STARTED,
            "targets as a string",
            "targets",
            data -> data.put("targets", "osd-12")),
        new Breakage(
            EventType.CHAOS_EXPERIMENT_STEP,
            "an end on a running step",
            "end",
            data -> data.put("status", "running").remove("error")),
        new Breakage(
            EventType.CHAOS_EXPERIMENT_COMPLETED,
            "status done",
            "status",
            data -> data.put("status", "done")),
        new Breakage(
            EventType.CHAOS_EXPERIMENT_COMPLETED,
            "durationSeconds as a string",
            "durationSeconds",
            data -> data.put("durationSeconds", "93.5")),
        new Breakage(
            EventType.CHAOS_HALT,
            "released as a string",
            "released",
            data -> data.put("released", "yes")),
        new Breakage(
            EventType.HEALTH_CHANGED,
            "status HEALTH_UNKNOWN",
            "status",
            data -> data.put("status", "HEALTH_UNKNOWN")),
        new Breakage(
            EventType.INCIDENT_OPENED,
            "severity SEV5",
            "severity",
            data -> data.put("severity", "SEV5")),
        new Breakage(
            EventType.INCIDENT_UPDATED,
            "status reopened",
            "status",
            data -> data.put("status", "reopened")),
        new Breakage(EventType.INCIDENT_RESOLVED, "by missing", "by", data -> data.remove("by")),
        new Breakage(
            EventType.POSTMORTEM_REVISED,
            "revision 0",
            "revision",
            data -> data.put("revision", 0)),
        new Breakage(
            EventType.POSTMORTEM_REVISED,
            "status published",
            "status",
            data -> data.put("status", "published")),
        new Breakage(
            EventType.AUDIT, "outcome maybe", "outcome", data -> data.put("outcome", "maybe")),
        new Breakage(EventType.AUDIT, "empty actor", "actor", data -> data.put("actor", "")));
  }

  @Nested
  @DisplayName("Invalid data")
  class InvalidData {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.valentia.eventbus.EventContractTest#breakages")
    @DisplayName("Data that breaks its schema is rejected as schema-invalid.")
    void brokenDataIsSchemaInvalid(Breakage breakage) {
      byte[] bytes = broken(breakage);

      assertThatThrownBy(() -> CODEC.decode(bytes))
          .isInstanceOfSatisfying(
              InvalidEventException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_INVALID));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.valentia.eventbus.EventContractTest#breakages")
    @DisplayName(
        "The problem reported for data that breaks its schema names the offending property.")
    void brokenDataProblemNamesTheProperty(Breakage breakage) {
      byte[] bytes = broken(breakage);

      InvalidEventException e = rejected(bytes);

      Pattern property = Pattern.compile("\\b" + Pattern.quote(breakage.property()) + "\\b");
      // the type's name may contain the property's name (lsm in io.valentia.probe.lsm.denied.v1)
      assertThat(e.problems())
          .as("problems of %s", breakage)
          .anySatisfy(
              problem ->
                  assertThat(problem.replace(breakage.type().type(), "<type>"))
                      .containsPattern(property));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.valentia.eventbus.EventContractTest#breakages")
    @DisplayName("The schema check and the codec agree on which data is broken.")
    void schemaRejectsBrokenData(Breakage breakage) {
      ObjectNode data = EventCodec.MAPPER.valueToTree(SampleEvents.payload(breakage.type()));
      breakage.breaker().accept(data);

      assertThat(SCHEMAS.validate(breakage.type(), data)).isNotEmpty();
    }

    @Test
    @DisplayName("An event of a Valentia type without data is rejected as schema-invalid.")
    void missingDataIsSchemaInvalid() {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.remove("data");

      InvalidEventException e = rejected(bytes(envelope));

      assertThat(e.reason()).isEqualTo(Reason.SCHEMA_INVALID);
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("data"));
    }

    @Test
    @DisplayName("Data of a Valentia type that is not a JSON object is rejected as schema-invalid.")
    void nonObjectDataIsSchemaInvalid() {
      for (JsonNode data :
          List.of(
              TextNode.valueOf("{}"), IntNode.valueOf(1), EventCodec.MAPPER.createArrayNode())) {
        ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
        envelope.set("data", data);

        assertThatThrownBy(() -> CODEC.decode(bytes(envelope)))
            .as("data %s", data)
            .isInstanceOfSatisfying(
                InvalidEventException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.SCHEMA_INVALID));
      }
    }

    @Test
    @DisplayName("A Valentia type with a non-JSON datacontenttype is rejected as schema-invalid.")
    void nonJsonContentTypeIsSchemaInvalid() {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.put("datacontenttype", "text/plain");

      InvalidEventException e = rejected(bytes(envelope));

      assertThat(e.reason()).isEqualTo(Reason.SCHEMA_INVALID);
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("datacontenttype"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // envelope

  @Nested
  @DisplayName("The envelope")
  class Envelope {

    @Test
    @DisplayName("An unknown type in Valentia's namespace is rejected as unknown-type.")
    void unknownValentiaTypeIsRejected() {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.put("type", "io.valentia.nope.v1");

      InvalidEventException e = rejected(bytes(envelope));

      assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE);
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("io.valentia.nope.v1"));
    }

    @ParameterizedTest(name = "data {0}")
    @ValueSource(
        strings = {
          "{\"anything\":[1,2,{\"x\":null}]}",
          "[1,\"two\",{\"three\":3}]",
          "\"just a string\"",
          "42",
          "3.25",
          "true"
        })
    @DisplayName("A user's own type is accepted with any JSON data, which is kept as is.")
    void userTypeAcceptsAnyData(String dataJson) {
      JsonNode data = json(dataJson);
      CloudEvent event =
          CloudEvent.builder("com.example.thing.v1").source("/example").data(data).build();

      CloudEvent decoded = CODEC.decode(CODEC.encode(event));

      assertThat(decoded.type()).isEqualTo("com.example.thing.v1");
      assertThat(decoded.data()).isEqualTo(data);
      assertThat(CODEC.payload(decoded)).isEmpty();
    }

    @Test
    @DisplayName("A user's own type without data is accepted.")
    void userTypeWithoutData() {
      CloudEvent event = CloudEvent.builder("com.example.thing.v1").source("/example").build();

      CloudEvent decoded = CODEC.decode(CODEC.encode(event));

      assertThat(decoded.data()).isNull();
      assertThat(decoded.dataContentType()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"not json at all", "{\"id\": ", "\u0000\u00ff\u0013garbage", "{]"})
    @DisplayName("Bytes that are not JSON are rejected as not-json.")
    void garbageIsNotJson(String garbage) {
      byte[] bytes = garbage.getBytes(StandardCharsets.ISO_8859_1);

      assertThatThrownBy(() -> CODEC.decode(bytes))
          .isInstanceOfSatisfying(
              InvalidEventException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_JSON));
    }

    @Test
    @DisplayName(
        "A valid event followed by more bytes is not one JSON value and is rejected as not-json.")
    void trailingBytesAreNotJson() {
      byte[] event =
          CODEC.encode(
              CloudEvent.of(SampleEvents.payload(EventType.CHAOS_HALT)).source("/t").build());
      byte[] garbage = " trailing garbage".getBytes(StandardCharsets.UTF_8);
      byte[] bytes = Arrays.copyOf(event, event.length + garbage.length);
      System.arraycopy(garbage, 0, bytes, event.length, garbage.length);

      assertThatThrownBy(() -> CODEC.decode(bytes))
          .isInstanceOfSatisfying(
              InvalidEventException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_JSON));
    }

    @Test
    @DisplayName(
        "Random binary bytes, an empty record and a missing value are rejected as not-json.")
    void binaryEmptyAndNullAreNotJson() {
      byte[] binary = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0x00, 0x01, (byte) 0xff};
      for (byte[] bytes : Arrays.asList(binary, new byte[0], null)) {
        assertThatThrownBy(() -> CODEC.decode(bytes))
            .isInstanceOfSatisfying(
                InvalidEventException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.NOT_JSON));
      }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"[]", "[{\"specversion\":\"1.0\"}]", "42", "\"event\"", "null"})
    @DisplayName("JSON that is not an object is rejected as not-cloudevent.")
    void nonObjectIsNotACloudEvent(String json) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

      assertThatThrownBy(() -> CODEC.decode(bytes))
          .isInstanceOfSatisfying(
              InvalidEventException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.NOT_CLOUDEVENT));
    }

    @Test
    @DisplayName(
        "An object missing id, source and specversion is rejected with every missing attribute named at once.")
    void missingAttributesAreAllReported() {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.remove(List.of("id", "source", "specversion"));

      InvalidEventException e = rejected(bytes(envelope));

      assertThat(e.reason()).isEqualTo(Reason.NOT_CLOUDEVENT);
      assertThat(e.problems()).hasSize(3);
      for (String attribute : List.of("id", "source", "specversion")) {
        Pattern named = Pattern.compile("\\b" + attribute + "\\b");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).containsPattern(named));
      }
      assertThat(e.getMessage()).contains("id", "source", "specversion");
    }

    @Test
    @DisplayName("An empty object is rejected with specversion, id, source and type all named.")
    void emptyObjectReportsEveryRequiredAttribute() {
      InvalidEventException e = rejected("{}".getBytes(StandardCharsets.UTF_8));

      assertThat(e.reason()).isEqualTo(Reason.NOT_CLOUDEVENT);
      assertThat(String.join("\n", e.problems())).contains("specversion", "id", "source", "type");
      assertThat(e.problems()).hasSize(4);
    }

    @ParameterizedTest(name = "severity {0}")
    @ValueSource(strings = {"\"fatal\"", "\"INFO\"", "\"\"", "3"})
    @DisplayName("A severity other than info, warning or critical is rejected as not-cloudevent.")
    void badSeverityIsNotACloudEvent(String severity) {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.set("severity", json(severity));

      InvalidEventException e = rejected(bytes(envelope));

      assertThat(e.reason()).isEqualTo(Reason.NOT_CLOUDEVENT);
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("severity"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "specversion=\"0.3\"",
          "specversion=1.0",
          "time=\"yesterday\"",
          "id=\"\"",
          "source=\"http://exa mple.com/ bad\"",
          "type=7"
        })
    @DisplayName(
        "An attribute breaking the CloudEvents specification is rejected as not-cloudevent, naming it.")
    void badAttributeIsNotACloudEvent(String assignment) {
      String attribute = assignment.substring(0, assignment.indexOf('='));
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.set(attribute, json(assignment.substring(assignment.indexOf('=') + 1)));

      InvalidEventException e = rejected(bytes(envelope));

      assertThat(e.reason()).isEqualTo(Reason.NOT_CLOUDEVENT);
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains(attribute));
    }

    @Test
    @DisplayName("Extension attributes are kept on decoding and written back on encoding.")
    void extensionsAreKept() {
      String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      CloudEvent event =
          CloudEvent.of(SampleEvents.payload(EventType.PROBE_MTU_PING))
              .source("/probes/mtu/osd-12")
              .subject("osd-12->osd-7")
              .experimentId("run-42")
              .incidentId("inc-7")
              .extension("traceparent", TextNode.valueOf(traceparent))
              .extension("hops", IntNode.valueOf(3))
              .extension("sampled", BooleanNode.TRUE)
              .build();

      byte[] bytes = CODEC.encode(event);
      JsonNode written = json(new String(bytes, StandardCharsets.UTF_8));
      CloudEvent decoded = CODEC.decode(bytes);
      JsonNode rewritten = CODEC.toJson(decoded);

      assertThat(written.path("traceparent").asText()).isEqualTo(traceparent);
      assertThat(written.path("experimentid").asText()).isEqualTo("run-42");
      assertThat(written.path("incidentid").asText()).isEqualTo("inc-7");
      assertThat(decoded.extensions())
          .containsOnlyKeys("traceparent", "hops", "sampled")
          .containsEntry("traceparent", TextNode.valueOf(traceparent))
          .containsEntry("hops", IntNode.valueOf(3))
          .containsEntry("sampled", BooleanNode.TRUE);
      assertThat(decoded.experimentId()).isEqualTo("run-42");
      assertThat(decoded.incidentId()).isEqualTo("inc-7");
      assertThat(rewritten.path("traceparent").asText()).isEqualTo(traceparent);
      assertThat(rewritten.path("hops").asInt()).isEqualTo(3);
      assertThat(rewritten.path("sampled").asBoolean()).isTrue();
      assertThat(rewritten).isEqualTo(written);
    }

    @Test
    @DisplayName(
        "Extension attributes read from another producer's JSON are kept and written back.")
    void foreignExtensionsAreKept() {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      envelope.put("partitionkey", "osd-12");

      CloudEvent decoded = CODEC.decode(bytes(envelope));

      assertThat(decoded.extensions()).containsOnlyKeys("traceparent", "partitionkey");
      assertThat(CODEC.toJson(decoded))
          .isEqualTo(json(new String(bytes(envelope), StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName(
        "An extension attribute whose value is null is treated as unset, as the JSON format requires.")
    void nullExtensionIsUnset() {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.putNull("traceparent");

      CloudEvent decoded = CODEC.decode(bytes(envelope));

      assertThat(decoded.extensions()).doesNotContainKey("traceparent");
      assertThat(CODEC.toJson(decoded).has("traceparent")).isFalse();
    }

    @Test
    @DisplayName(
        "An extension attribute with a name outside the CloudEvents naming rules is rejected.")
    void badExtensionNameIsRejected() {
      ObjectNode envelope = envelopeOf(SampleEvents.payload(EventType.CHAOS_HALT));
      envelope.put("Trace-Parent", "x");

      InvalidEventException e = rejected(bytes(envelope));

      assertThat(e.reason()).isEqualTo(Reason.NOT_CLOUDEVENT);
      assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("Trace-Parent"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // CloudEvents JSON format

  private static final Pattern RFC_3339_UTC =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");
  private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[a-z0-9]{1,20}");

  @ParameterizedTest(name = "{0}")
  @EnumSource(EventType.class)
  @DisplayName("An event written by the codec is valid by the CloudEvents 1.0 JSON format.")
  void writtenEventFollowsTheCloudEventsJsonFormat(EventType type) throws URISyntaxException {
    CloudEvent event =
        CloudEvent.of(SampleEvents.payload(type)).source("/test").subject("s").build();

    JsonNode written = json(new String(CODEC.encode(event), StandardCharsets.UTF_8));

    assertThat(written.isObject()).isTrue();
    assertThat(written.path("specversion").isTextual()).isTrue();
    assertThat(written.path("specversion").asText()).isEqualTo("1.0");
    assertThat(written.path("id").isTextual()).isTrue();
    assertThat(written.path("id").asText()).isNotEmpty().isEqualTo(event.id());
    assertThat(written.path("source").isTextual()).isTrue();
    assertThat(new URI(written.path("source").asText()).toString()).isEqualTo("/test");
    assertThat(written.path("type").asText()).isEqualTo(type.type());
    assertThat(written.path("time").isTextual()).isTrue();
    assertThat(written.path("time").asText()).matches(RFC_3339_UTC);
    assertThat(OffsetDateTime.parse(written.path("time").asText()).getOffset())
        .isEqualTo(ZoneOffset.UTC);
    assertThat(OffsetDateTime.parse(written.path("time").asText()).toInstant())
        .isEqualTo(event.time());
    assertThat(written.path("subject").asText()).isEqualTo("s");
    assertThat(written.path("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(written.path("severity").asText()).isIn("info", "warning", "critical");
    assertThat(written.get("data").isObject()).as("data is a JSON object, not a string").isTrue();
    assertThat(written.has("data_base64")).isFalse();
    for (Iterator<String> names = written.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      assertThat(name).matches(ATTRIBUTE_NAME);
      if (!name.equals("data")) {
        assertThat(written.get(name).isValueNode()).as(name).isTrue();
        assertThat(written.get(name).isNull()).as(name).isFalse();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private static JsonNode json(String text) {
    try {
      return EventCodec.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(JsonNode tree) {
    try {
      return EventCodec.MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON envelope of a fresh event carrying {@code payload}; a copy, free to change. */
  private static ObjectNode envelopeOf(EventPayload payload) {
    return CODEC.toJson(CloudEvent.of(payload).source("/test").subject("s").build()).deepCopy();
  }

  /** Decodes {@code bytes}, asserting that the codec rejects them. */
  private static InvalidEventException rejected(byte[] bytes) {
    Throwable thrown = catchThrowable(() -> CODEC.decode(bytes));
    assertThat(thrown)
        .as("decoding %s", new String(bytes, StandardCharsets.UTF_8))
        .isInstanceOf(InvalidEventException.class);
    return (InvalidEventException) thrown;
  }

  private static byte[] broken(Breakage breakage) {
    ObjectNode envelope = envelopeOf(SampleEvents.payload(breakage.type()));
    breakage.breaker().accept((ObjectNode) envelope.get("data"));
    return bytes(envelope);
  }

  private static JsonNode schemaOf(EventType type) {
    try (InputStream in = EventContractTest.class.getResourceAsStream(type.schemaResource())) {
      assertThat(in).as(type.schemaResource()).isNotNull();
      return EventCodec.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> elements(JsonNode array) {
    List<String> values = new ArrayList<>();
    if (array instanceof ArrayNode) {
      array.forEach(value -> values.add(value.asText()));
    }
    return values;
  }

  private static JsonNode resolve(JsonNode root, JsonNode schema) {
    String ref = schema.path("$ref").asText(null);
    if (ref == null) {
      return schema;
    }
    assertThat(ref).startsWith("#/");
    return root.at(ref.substring(1));
  }

  /**
   * Asserts that the keys of {@code data} are all of {@code schema}'s properties ({@code all}) or
   * exactly its required ones, and the same for every nested object that is not a map.
   */
  private static void assertKeys(
      JsonNode root, JsonNode schema, JsonNode data, boolean all, String where) {
    JsonNode resolved = resolve(root, schema);
    assertThat(resolved.isMissingNode()).as("schema of %s", where).isFalse();
    Collection<String> expected =
        all ? fieldNames(resolved.path("properties")) : elements(resolved.path("required"));
    assertThat(fieldNames(data))
        .as("properties of %s", where)
        .containsExactlyInAnyOrderElementsOf(expected);
    resolved
        .path("properties")
        .fields()
        .forEachRemaining(
            property -> {
              JsonNode value = data.get(property.getKey());
              if (value != null && value.isObject()) {
                JsonNode nested = resolve(root, property.getValue());
                // a map (additionalProperties with a schema) has keys of the producer's choosing
                if ("object".equals(nested.path("type").asText())
                    && !nested.path("additionalProperties").isObject()) {
                  assertKeys(root, nested, value, all, where + "/" + property.getKey());
                }
              }
            });
  }

  /** Asserts that no component of {@code record} (or of a nested record) is null or empty. */
  private static void assertEveryComponentFilled(Record record, String where) {
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(record);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      String path = where + "." + component.getName();
      assertThat(value).as(path).isNotNull();
      if (value instanceof Record nested) {
        assertEveryComponentFilled(nested, path);
      } else if (value instanceof Collection<?> collection) {
        assertThat(collection).as(path).isNotEmpty();
      }
    }
  }

  private static void assertEveryComponentFilled(EventPayload payload, String where) {
    assertEveryComponentFilled((Record) payload, where);
  }
}
