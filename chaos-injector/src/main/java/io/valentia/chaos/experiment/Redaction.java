package io.valentia.chaos.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.valentia.eventbus.EventCodec;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Hides an experiment's secret values wherever a run shows or keeps them (API answers, events,
 * journals, logs): each occurrence of a value becomes {@value #MARK}, and the {@code secrets}
 * section of the document keeps its names and environment references but not its inline values.
 * Immutable and thread-safe.
 */
public final class Redaction {
  /** What a secret value is replaced with. */
  public static final String MARK = "[redacted]";

  private static final Redaction NONE = new Redaction(List.of());

  private final List<String> values;

  private Redaction(List<String> values) {
    this.values = values;
  }

  /** Hides nothing but the inline values of a document's {@code secrets}. */
  public static Redaction none() {
    return NONE;
  }

  /** Hides {@code secrets} (empty ones are ignored); longer values are replaced first. */
  public static Redaction of(Collection<String> secrets) {
    Set<String> distinct = new LinkedHashSet<>();
    for (String s : secrets) {
      if (s != null && !s.isEmpty()) {
        distinct.add(s);
      }
    }
    return new Redaction(
        distinct.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList());
  }

  /** Whether there are values to hide. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** {@code text} with every secret value hidden; null stays null. */
  public String apply(String text) {
    if (text == null || values.isEmpty()) {
      return text;
    }
    String out = text;
    for (String v : values) {
      out = out.replace(v, MARK);
    }
    return out;
  }

  /** A copy of {@code node} with every secret value hidden in its strings; null stays null. */
  public JsonNode apply(JsonNode node) {
    if (node == null || values.isEmpty()) {
      return node;
    }
    if (node.isTextual()) {
      String text = node.asText();
      String hidden = apply(text);
      return hidden.equals(text) ? node : TextNode.valueOf(hidden);
    }
    if (node.isArray()) {
      ArrayNode copy = EventCodec.MAPPER.createArrayNode();
      node.forEach(item -> copy.add(apply(item)));
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = EventCodec.MAPPER.createObjectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), apply(e.getValue())));
      return copy;
    }
    if (node.isValueNode() && !node.isNull()) {
      String text = node.asText();
      if (values.contains(text)) {
        return TextNode.valueOf(MARK);
      }
    }
    return node;
  }

  /**
   * A copy of an experiment document as it may be shown: the inline values of {@code secrets}
   * hidden (environment references such as {@code {"type": "env", "key": "TOKEN"}} kept, their
   * {@code default} hidden), and every secret value hidden elsewhere.
   */
  public JsonNode document(JsonNode document) {
    if (document == null || !document.isObject()) {
      return apply(document);
    }
    ObjectNode copy = (ObjectNode) apply(document.deepCopy());
    JsonNode secrets = copy.path("secrets");
    if (secrets.isObject()) {
      ObjectNode hidden = EventCodec.MAPPER.createObjectNode();
      secrets
          .fields()
          .forEachRemaining(
              ns -> {
                if (!ns.getValue().isObject()) {
                  hidden.put(ns.getKey(), MARK);
                  return;
                }
                ObjectNode names = hidden.putObject(ns.getKey());
                ns.getValue()
                    .fields()
                    .forEachRemaining(
                        e -> {
                          JsonNode v = e.getValue();
                          if (v.isObject() && v.has("type")) {
                            ObjectNode reference = v.deepCopy();
                            if (reference.has("default")) {
                              reference.put("default", MARK);
                            }
                            names.set(e.getKey(), reference);
                          } else {
                            names.put(e.getKey(), MARK);
                          }
                        });
              });
      copy.set("secrets", hidden);
    }
    return copy;
  }
}
