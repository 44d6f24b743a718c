package io.valentia.eventbus.config;

/**
 * One problem of a configuration: the key path it is about, where the value came from, and what is
 * wrong.
 *
 * @param key the key path, e.g. {@code route.routes[1].matchers[0]}; empty for the section itself
 * @param source where the value came from ({@code config.yaml}, {@code VALENTIA_HTTP_PORT}, {@code
 *     --http-port}); null when not known or not worth saying
 * @param message what is wrong, e.g. {@code must be true or false}
 */
public record ConfigProblem(String key, String source, String message) {

  /** {@code key (from source): message}, or without the parts that are empty. */
  @Override
  public String toString() {
    if (key.isEmpty()) {
      return source == null ? message : "(from " + source + "): " + message;
    }
    return key + (source == null ? "" : " (from " + source + ")") + ": " + message;
  }
}
