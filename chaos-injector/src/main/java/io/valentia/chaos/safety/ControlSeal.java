package io.valentia.chaos.safety;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.chaos.state.ControlState;
import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.LogRecord;
import io.valentia.eventbus.security.PlatformKey;
import io.valentia.eventbus.service.Role;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Who sent a command, and whether they may: the seal that makes a control record trustworthy.
 *
 * <p>Kafka's ACLs say which principal may write {@code valentia.control} and {@code
 * valentia.state.schedules}, not which person asked, and a client could put any header on a record.
 * So the process that writes a command (the API, on behalf of the authenticated caller; a command
 * of the platform's owner) signs it with the {@link PlatformKey}: an HMAC over the topic, the key,
 * the principal, the role and the record. An injector acts on a schedule or a halt only when its
 * seal is valid and the role may do that {@link Action}; anything else is refused, audited and sent
 * to the dead letters (through {@link Refusals}). Thread-safe.
 */
public final class ControlSeal {
  /** The header naming who sent a record on valentia.control. */
  public static final String PRINCIPAL_HEADER = "valentia.sender.principal";

  /** The header with that sender's role. */
  public static final String ROLE_HEADER = "valentia.sender.role";

  /** The header with the HMAC (base64) over the record, the principal and the role. */
  public static final String SEAL_HEADER = "valentia.sender.seal";

  /** The role of the platform itself, and of whoever holds its key (the CLI of its owner). */
  public static final String PLATFORM = "platform";

  private static final byte[] RECORD_CONTEXT = PlatformKey.utf8("valentia.control/v1");
  private static final byte[] STATE_CONTEXT = PlatformKey.utf8("valentia.state/v1");

  /** What a command asks for, and the roles that may ask it. */
  public enum Action {
    /** Add, change or remove a schedule (which later starts runs). */
    SCHEDULE(Set.of(Role.OPERATOR.value(), Role.ADMIN.value(), PLATFORM)),
    /** Halt every injector, or release the halt. */
    HALT(Set.of(Role.OPERATOR.value(), Role.ADMIN.value(), PLATFORM));

    private final Set<String> roles;

    Action(Set<String> roles) {
      this.roles = roles;
    }

    /** Whether {@code role} may do this. */
    public boolean allows(String role) {
      return role != null && roles.contains(role.toLowerCase(Locale.ROOT));
    }

    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Who sent a command.
   *
   * @param principal who asked: a user, a token's name, {@code cli:USER@HOST}
   * @param role their role; {@link #PLATFORM} for the platform and its owner
   */
  public record Sender(String principal, String role) {
    public Sender {
      principal = principal == null || principal.isBlank() ? "unknown" : principal;
      role = role == null || role.isBlank() ? "unknown" : role.toLowerCase(Locale.ROOT);
    }

    /** The platform acting for itself, as {@code principal}. */
    public static Sender platform(String principal) {
      return new Sender(principal, PLATFORM);
    }

    /**
     * The caller of an API request, as the web gateway authenticated it ({@link
     * io.valentia.eventbus.service.ApiRoutes#PRINCIPAL_NAME}, {@code PRINCIPAL_ROLE}). A request
     * with no role reached a router that this process mounted without the gateway (only its own
     * code can): it acts as the platform.
     */
    public static Sender of(io.vertx.ext.web.RoutingContext rc) {
      Object name = rc.get(io.valentia.eventbus.service.ApiRoutes.PRINCIPAL_NAME);
      Object role = rc.get(io.valentia.eventbus.service.ApiRoutes.PRINCIPAL_ROLE);
      return role == null
          ? platform(name == null ? "api" : name.toString())
          : new Sender(name == null ? "unknown" : name.toString(), role.toString());
    }
  }

  /**
   * Whether a command was accepted, and why not.
   *
   * @param sender who sent it, when its seal is valid; else null
   * @param refusal why it is refused; null when accepted
   */
  public record Verdict(Sender sender, String refusal) {
    public boolean accepted() {
      return refusal == null;
    }
  }

  /** Where refused commands are reported: the audit trail and the dead letters. */
  public interface Refusals {
    /**
     * @param topic where the command was read
     * @param key its key
     * @param value its value as read (JSON)
     * @param action what it asked for
     * @param verdict why it was refused (and who it claims to be from, when known)
     */
    void refused(String topic, String key, byte[] value, Action action, Verdict verdict);

    /** Only logs (by the caller). */
    Refusals NONE = (topic, key, value, action, verdict) -> {};
  }

  private final PlatformKey key;
  private final Refusals refusals;

  public ControlSeal(PlatformKey key, Refusals refusals) {
    this.key = key;
    this.refusals = refusals == null ? Refusals.NONE : refusals;
  }

  public ControlSeal(PlatformKey key) {
    this(key, Refusals.NONE);
  }

  /** A seal with the same key that reports refusals to {@code refusals}. */
  public ControlSeal reportingTo(Refusals refusals) {
    return new ControlSeal(key, refusals);
  }

  // ---- records on valentia.control ----

  /** {@code event} as a record on {@code topic} under {@code key}, sealed as sent by {@code by}. */
  public ProducerRecord<byte[], byte[]> record(
      String topic, String recordKey, CloudEvent event, Sender by) {
    byte[] keyBytes = PlatformKey.utf8(recordKey);
    byte[] value = EventCodec.instance().encode(event);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, keyBytes, value);
    record.headers().add(new RecordHeader(PRINCIPAL_HEADER, PlatformKey.utf8(by.principal())));
    record.headers().add(new RecordHeader(ROLE_HEADER, PlatformKey.utf8(by.role())));
    record
        .headers()
        .add(
            new RecordHeader(
                SEAL_HEADER, PlatformKey.utf8(signRecord(topic, keyBytes, value, by))));
    return record;
  }

  /** Checks the seal of a record read from valentia.control; reports it when refused. */
  public Verdict check(LogRecord record, Action action) {
    String principal = record.header(PRINCIPAL_HEADER);
    String role = record.header(ROLE_HEADER);
    String seal = record.header(SEAL_HEADER);
    Verdict verdict;
    if (seal == null || principal == null || role == null) {
      verdict = new Verdict(null, "unsigned: no sender seal (" + SEAL_HEADER + ")");
    } else {
      Sender sender = new Sender(principal, role);
      if (!key.verify(seal, recordParts(record.topic(), record.key(), record.value(), sender))) {
        verdict = new Verdict(null, "forged: the sender seal does not match the record");
      } else if (!action.allows(sender.role())) {
        verdict =
            new Verdict(
                sender,
                "under-privileged: role "
                    + sender.role()
                    + " of "
                    + sender.principal()
                    + " may not "
                    + action.value());
      } else {
        verdict = new Verdict(sender, null);
      }
    }
    if (!verdict.accepted()) {
      refusals.refused(record.topic(), record.keyString(), record.value(), action, verdict);
    }
    return verdict;
  }

  private String signRecord(String topic, byte[] recordKey, byte[] value, Sender by) {
    return key.sign(recordParts(topic, recordKey, value, by));
  }

  private static byte[][] recordParts(String topic, byte[] recordKey, byte[] value, Sender by) {
    return new byte[][] {
      RECORD_CONTEXT,
      PlatformKey.utf8(topic),
      recordKey,
      PlatformKey.utf8(by.principal()),
      PlatformKey.utf8(by.role()),
      value
    };
  }

  // ---- entries of valentia.state.schedules ----

  /** {@code state} sealed as written under {@code entryKey} of {@code topic} by {@code by}. */
  public ControlState seal(String topic, String entryKey, ControlState state, Sender by) {
    ControlState bare = state.unsealed();
    String signature = key.sign(stateParts(topic, entryKey, bare, by));
    return bare.sealed(new ControlState.Seal(by.principal(), by.role(), signature));
  }

  /** Checks the seal of an entry read from {@code topic}; reports it when refused. */
  public Verdict check(String topic, String entryKey, ControlState state, Action action) {
    ControlState.Seal seal = state.seal();
    Verdict verdict;
    if (seal == null || seal.signature() == null) {
      verdict = new Verdict(null, "unsigned: the entry has no sender seal");
    } else {
      Sender sender = new Sender(seal.principal(), seal.role());
      if (!key.verify(seal.signature(), stateParts(topic, entryKey, state.unsealed(), sender))) {
        verdict = new Verdict(null, "forged: the sender seal does not match the entry");
      } else if (!action.allows(sender.role())) {
        verdict =
            new Verdict(
                sender,
                "under-privileged: role "
                    + sender.role()
                    + " of "
                    + sender.principal()
                    + " may not "
                    + action.value());
      } else {
        verdict = new Verdict(sender, null);
      }
    }
    if (!verdict.accepted()) {
      refusals.refused(topic, entryKey, json(state), action, verdict);
    }
    return verdict;
  }

  private static byte[][] stateParts(String topic, String entryKey, ControlState bare, Sender by) {
    return new byte[][] {
      STATE_CONTEXT,
      PlatformKey.utf8(topic),
      PlatformKey.utf8(entryKey),
      PlatformKey.utf8(by.principal()),
      PlatformKey.utf8(by.role()),
      canonical(bare)
    };
  }

  /**
   * The entry as JSON with every object's fields in name order: the same bytes for the entry a
   * writer sealed and for the one a reader decoded from what Kafka stored.
   */
  static byte[] canonical(ControlState bare) {
    try {
      return EventCodec.MAPPER.writeValueAsBytes(sorted(EventCodec.MAPPER.valueToTree(bare)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a control state that cannot be written as JSON", e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      node.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isNull()) {
                  fields.put(e.getKey(), sorted(e.getValue()));
                }
              });
      ObjectNode out = EventCodec.MAPPER.createObjectNode();
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      List<JsonNode> items = new ArrayList<>();
      node.forEach(item -> items.add(sorted(item)));
      return EventCodec.MAPPER.createArrayNode().addAll(items);
    }
    return node;
  }

  private static byte[] json(ControlState state) {
    try {
      return EventCodec.MAPPER.writeValueAsBytes(state);
    } catch (JsonProcessingException e) {
      return String.valueOf(state).getBytes(StandardCharsets.UTF_8);
    }
  }
}
