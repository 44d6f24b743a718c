package io.valentia.web.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelVariableResolver;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The variables of a filter over one CloudEvent as it is on the wire: each attribute a filter
 * declares ({@link FilterLanguage#ATTRIBUTES}) when the event has it as a string, {@code data} and
 * {@code event} (the whole CloudEvent). Objects and arrays are read-only views over the JSON tree
 * that convert a value only when a filter reads it, so testing an event against many filters copies
 * nothing. Integers are CEL {@code int}, other numbers {@code double}, JSON null is {@code null}.
 * An attribute the event lacks has no value: what reads it does not pass.
 */
final class EventVariables implements CelVariableResolver {
  private final JsonNode event;

  private EventVariables(JsonNode event) {
    this.event = event;
  }

  static EventVariables of(JsonNode event) {
    return new EventVariables(event);
  }

  @Override
  public Optional<Object> find(String name) {
    if (name.equals(FilterLanguage.EVENT)) {
      return Optional.of(value(event));
    }
    JsonNode value = event.get(name);
    if (value == null || value.isMissingNode()) {
      return Optional.empty();
    }
    if (name.equals(FilterLanguage.DATA)) {
      return Optional.of(value(value));
    }
    return value.isTextual() ? Optional.of(value.textValue()) : Optional.empty();
  }

  /** The CEL value of a JSON value. */
  static Object value(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> node.textValue();
      case BOOLEAN -> node.booleanValue();
      case NUMBER ->
          node.canConvertToLong() && node.isIntegralNumber()
              ? (Object) node.longValue()
              : (Object) node.doubleValue();
      case OBJECT -> new ObjectView(node);
      case ARRAY -> new ArrayView(node);
      case BINARY -> node.asText();
      default -> NullValue.NULL_VALUE;
    };
  }

  /** A JSON object as a CEL {@code map(string, dyn)}. */
  private static final class ObjectView extends AbstractMap<String, Object> {
    private final JsonNode node;

    ObjectView(JsonNode node) {
      this.node = node;
    }

    @Override
    public Object get(Object key) {
      JsonNode child = key instanceof String name ? node.get(name) : null;
      return child == null ? null : value(child);
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String name && node.has(name);
    }

    @Override
    public int size() {
      return node.size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, Object>> iterator() {
          Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return fields.hasNext();
            }

            @Override
            public Entry<String, Object> next() {
              Map.Entry<String, JsonNode> field = fields.next();
              return new SimpleImmutableEntry<>(field.getKey(), value(field.getValue()));
            }
          };
        }

        @Override
        public int size() {
          return node.size();
        }
      };
    }
  }

  /** A JSON array as a CEL {@code list(dyn)}. */
  private static final class ArrayView extends AbstractList<Object> {
    private final JsonNode node;

    ArrayView(JsonNode node) {
      this.node = node;
    }

    @Override
    public Object get(int index) {
      if (index < 0 || index >= node.size()) {
        throw new IndexOutOfBoundsException(index);
      }
      return value(node.get(index));
    }

    @Override
    public int size() {
      return node.size();
    }
  }
}
