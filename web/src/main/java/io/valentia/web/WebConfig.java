package io.valentia.web;

/**
 * Where the web server listens.
 *
 * @param host the address to bind; {@code 127.0.0.1} by default, {@code 0.0.0.0} for every
 *     interface
 * @param port the port; 0 picks a free one
 */
public record WebConfig(String host, int port) {
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_HOST = "127.0.0.1";
}
