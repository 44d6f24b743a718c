package io.valentia.chaos.experiment;

/**
 * One thing wrong with an experiment file.
 *
 * @param path where in the document, e.g. {@code method[2].provider.url}; empty for the document
 * @param location {@code line:column} in the file; null when unknown
 * @param message what is wrong, in a full sentence fragment a person can act on
 */
public record ExperimentProblem(String path, String location, String message) {

  /** {@code line:column: path: message}, as printed by {@code experiment validate}. */
  @Override
  public String toString() {
    String where = path.isEmpty() ? "(document)" : path;
    return (location == null ? "" : location + ": ") + where + ": " + message;
  }
}
