package io.valentia.eventbus;

import com.fasterxml.jackson.databind.JsonNode;
import io.valentia.eventbus.payload.EventPayload;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A CloudEvents 1.0 event as Valentia writes it: JSON structured mode, one event per Kafka record.
 * {@code specversion} is always {@code 1.0}; {@code severity}, {@code experimentid} and {@code
 * incidentid} are CloudEvents extension attributes.
 *
 * <p>Use {@link EventCodec} to read and write events; it validates the envelope and, for Valentia's
 * own types, the {@code data} against the type's JSON Schema. Instances are immutable by contract:
 * {@code data} is a Jackson tree and must not be modified after construction.
 *
 * @param id unique, time-ordered id (a UUIDv7 for events Valentia creates); never null
 * @param source URI-reference of what produced the event, e.g. {@code /probes/mtu/osd-12}; never
 *     null
 * @param type e.g. {@code io.valentia.probe.mtu.ping.v1}; never null
 * @param time when it happened; null when the producer did not say
 * @param subject what it is about (host, peer pair, process, lease); nullable
 * @param dataContentType {@code application/json} for Valentia's types; nullable
 * @param severity nullable (an event without one reads as {@link Severity#INFO})
 * @param experimentId the chaos experiment it belongs to; nullable
 * @param incidentId the incident it belongs to; nullable
 * @param extensions any other attribute, kept as read; never null
 * @param data the payload; null when the event has none
 */
public record CloudEvent(
    String id,
    String source,
    String type,
    Instant time,
    String subject,
    String dataContentType,
    Severity severity,
    String experimentId,
    String incidentId,
    Map<String, JsonNode> extensions,
    JsonNode data) {

  public static final String SPEC_VERSION = "1.0";
  public static final String JSON = "application/json";

  public CloudEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(type, "type");
    extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
  }

  /** The severity, reading an absent one as {@link Severity#INFO}. */
  public Severity severityOrInfo() {
    return severity == null ? Severity.INFO : severity;
  }

  /** A builder for a new event of {@code type} with a fresh id and the current time. */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  /** A builder for a new event carrying {@code payload}, with its type's default severity. */
  public static Builder of(EventPayload payload) {
    EventType type = payload.eventType();
    return new Builder(type.type())
        .severity(type.defaultSeverity())
        .data(EventCodec.MAPPER.valueToTree(payload));
  }

  /** A copy with another incident id. */
  public CloudEvent withIncidentId(String incidentId) {
    return new CloudEvent(
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
  }

  /** Builds events; {@code source} is required. */
  public static final class Builder {
    private String id = EventIds.next();
    private String source;
    private final String type;
    private Instant time = Instant.now();
    private String subject;
    private String dataContentType = JSON;
    private Severity severity;
    private String experimentId;
    private String incidentId;
    private final Map<String, JsonNode> extensions = new LinkedHashMap<>();
    private JsonNode data;

    private Builder(String type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder source(String source) {
      this.source = source;
      return this;
    }

    public Builder time(Instant time) {
      this.time = time;
      return this;
    }

    public Builder subject(String subject) {
      this.subject = subject;
      return this;
    }

    public Builder dataContentType(String dataContentType) {
      this.dataContentType = dataContentType;
      return this;
    }

    public Builder severity(Severity severity) {
      this.severity = severity;
      return this;
    }

    public Builder experimentId(String experimentId) {
      this.experimentId = experimentId;
      return this;
    }

    public Builder incidentId(String incidentId) {
      this.incidentId = incidentId;
      return this;
    }

    /**
     * Sets an extension attribute.
     *
     * @throws IllegalArgumentException when the name is not 1 to 20 lower-case letters or digits,
     *     or the value is not a string, number or boolean
     */
    public Builder extension(String name, JsonNode value) {
      if (!EventCodec.isAttributeName(name) || value == null || !value.isValueNode()) {
        throw new IllegalArgumentException(
            "extension "
                + name
                + " must be named [a-z0-9]{1,20} and be a string, number or boolean");
      }
      extensions.put(name, value);
      return this;
    }

    public Builder data(JsonNode data) {
      this.data = data;
      return this;
    }

    public CloudEvent build() {
      return new CloudEvent(
          id,
          source,
          type,
          time,
          subject,
          data == null ? null : dataContentType,
          severity,
          experimentId,
          incidentId,
          extensions,
          data);
    }
  }
}
