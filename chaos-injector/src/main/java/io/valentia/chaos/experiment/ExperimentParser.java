package io.valentia.chaos.experiment;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.valentia.eventbus.EventCodec;
import java.io.IOException;

/**
 * Reads the text of an experiment (JSON or YAML, Chaos Toolkit's {@code loader}) into a tree, with
 * where each value starts in the text. Thread-safe.
 */
final class ExperimentParser {
  private static final ObjectMapper JSON = EventCodec.MAPPER;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ExperimentParser() {}

  /**
   * What reading gave: a document with its locations, or the one problem that stopped reading.
   *
   * @param document the tree; null when {@code problem} is set
   * @param locations where each value starts; empty when {@code problem} is set
   * @param problem why the text is not a document; null when it is one
   */
  record Parsed(JsonNode document, SourceLocations locations, ExperimentProblem problem) {}

  static Parsed parse(String text, boolean yaml) {
    ObjectMapper mapper = yaml ? YAML : JSON;
    JsonNode document;
    try {
      document = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      var where = e.getLocation();
      String location = where == null ? null : where.getLineNr() + ":" + where.getColumnNr();
      return new Parsed(
          null,
          SourceLocations.none(),
          new ExperimentProblem(
              "",
              location,
              "not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage()));
    }
    if (document == null || document.isMissingNode()) {
      return new Parsed(
          null, SourceLocations.none(), new ExperimentProblem("", "1:1", "the file is empty"));
    }
    SourceLocations locations;
    try (JsonParser parser = mapper.getFactory().createParser(text)) {
      locations = SourceLocations.read(parser);
    } catch (IOException e) {
      locations = SourceLocations.none();
    }
    return new Parsed(document, locations, null);
  }
}
