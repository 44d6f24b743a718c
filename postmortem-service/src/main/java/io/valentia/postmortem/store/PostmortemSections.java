package io.valentia.postmortem.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.payload.SectionChange;
import io.valentia.postmortem.documents.Postmortem;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A postmortem as named sections: what a revision changed, how revisions fold into a document, and
 * how two documents differ section by section. The sections are the components of {@link
 * Postmortem} except {@code status}, which every revision carries on its own. Stateless.
 */
public final class PostmortemSections {
  /** Every section, in document order. */
  public static final List<String> NAMES =
      List.of(
          "title",
          "incidentId",
          "date",
          "authors",
          "summary",
          "impact",
          "trigger",
          "detection",
          "resolution",
          "contributingFactors",
          "actionItems",
          "wentWell",
          "wentWrong",
          "gotLucky",
          "timeline",
          "testimonies",
          "findings",
          "recommendations",
          "supportingInformation");

  /** An empty draft. */
  public static final Postmortem EMPTY =
      new Postmortem(
          "", "draft", "", "", null, "", "", "", "", "", null, null, null, null, null, null, null,
          null, null, null);

  private PostmortemSections() {}

  /**
   * The sections of {@code after} that differ from {@code before}, each with its new value; every
   * non-empty section when {@code before} is null.
   */
  public static List<SectionChange> changes(Postmortem before, Postmortem after) {
    ObjectNode old = before == null ? tree(EMPTY) : tree(before);
    ObjectNode now = tree(after);
    List<SectionChange> changes = new ArrayList<>();
    for (String name : NAMES) {
      if (!old.path(name).equals(now.path(name))) {
        changes.add(new SectionChange(name, now.path(name)));
      }
    }
    return changes;
  }

  /**
   * {@code base} with {@code changes} applied and status {@code status}.
   *
   * @throws InvalidPostmortemException when a change does not fit its section
   */
  public static Postmortem apply(Postmortem base, List<SectionChange> changes, String status) {
    ObjectNode tree = tree(base);
    for (SectionChange change : changes) {
      if (NAMES.contains(change.section())) {
        tree.set(change.section(), change.value());
      }
    }
    tree.put("status", status);
    return fromTree(tree);
  }

  /**
   * {@code base} with the fields of {@code patch} (any section names and {@code status}) replaced.
   *
   * @throws InvalidPostmortemException listing every unknown field and every value that does not
   *     fit its section
   */
  public static Postmortem merge(Postmortem base, JsonNode patch) {
    if (patch == null || !patch.isObject()) {
      throw new InvalidPostmortemException(List.of("document: must be a JSON object of sections"));
    }
    List<String> problems = new ArrayList<>();
    ObjectNode tree = tree(base);
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (!NAMES.contains(name) && !name.equals("status")) {
        problems.add(name + ": unknown section (known: status, " + String.join(", ", NAMES) + ")");
        continue;
      }
      JsonNode value = field.getValue();
      boolean list = tree.path(name).isArray();
      if (name.equals("status")) {
        if (!Postmortem.STATUSES.contains(value.asText()) || !value.isTextual()) {
          problems.add("status: must be one of " + Postmortem.STATUSES + ", found " + value);
          continue;
        }
      } else if (list && !value.isArray()) {
        problems.add(name + ": must be a JSON array, found " + value.getNodeType());
        continue;
      } else if (!list && !value.isTextual()) {
        problems.add(name + ": must be a string, found " + value.getNodeType());
        continue;
      }
      tree.set(name, value);
    }
    if (!problems.isEmpty()) {
      throw new InvalidPostmortemException(problems);
    }
    return fromTree(tree);
  }

  /**
   * How {@code from} and {@code to} differ, one entry per changed section: the values before and
   * after, and for list sections the items added and removed.
   */
  public static List<SectionDiff> compare(Postmortem from, Postmortem to) {
    ObjectNode a = tree(from);
    ObjectNode b = tree(to);
    List<SectionDiff> diffs = new ArrayList<>();
    List<String> names = new ArrayList<>(NAMES);
    names.add(1, "status");
    for (String name : names) {
      JsonNode before = a.path(name);
      JsonNode after = b.path(name);
      if (before.equals(after)) {
        continue;
      }
      List<JsonNode> added = new ArrayList<>();
      List<JsonNode> removed = new ArrayList<>();
      if (before.isArray() && after.isArray()) {
        List<JsonNode> left = new ArrayList<>();
        before.forEach(left::add);
        for (JsonNode item : after) {
          if (!left.remove(item)) {
            added.add(item);
          }
        }
        removed.addAll(left);
      }
      diffs.add(new SectionDiff(name, before, after, added, removed));
    }
    return diffs;
  }

  /**
   * One section that differs between two revisions.
   *
   * @param section the section's name
   * @param before its value in the older revision
   * @param after its value in the newer revision
   * @param added for a list section, the items only the newer revision has; empty otherwise
   * @param removed for a list section, the items only the older revision has; empty otherwise
   */
  public record SectionDiff(
      String section,
      JsonNode before,
      JsonNode after,
      List<JsonNode> added,
      List<JsonNode> removed) {}

  static ObjectNode tree(Postmortem postmortem) {
    return EventCodec.MAPPER.valueToTree(postmortem == null ? EMPTY : postmortem);
  }

  static Postmortem fromTree(JsonNode tree) {
    try {
      return EventCodec.MAPPER.treeToValue(tree, Postmortem.class);
    } catch (JsonProcessingException e) {
      throw new InvalidPostmortemException(
          List.of("document: " + e.getOriginalMessage().replaceAll("\\s+", " ")));
    } catch (IllegalArgumentException e) {
      throw new InvalidPostmortemException(List.of("document: " + e.getMessage()));
    }
  }

  static ArrayNode array() {
    return EventCodec.MAPPER.createArrayNode();
  }
}
