package io.valentia.eventbus.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a command reaches a running platform's API, a picocli mixin: {@code --url}, else {@code
 * VALENTIA_URL}, else {@code http://127.0.0.1:8080}; {@code --token}, else {@code VALENTIA_TOKEN}.
 * A blank flag or variable counts as not given. Not thread-safe (one command, one thread).
 */
public final class ApiOptions {
  public static final String DEFAULT_URL = "http://127.0.0.1:8080";

  static final String URL_VARIABLE = "VALENTIA_URL";
  static final String TOKEN_VARIABLE = "VALENTIA_TOKEN";

  @Option(
      names = "--url",
      paramLabel = "URL",
      defaultValue = "${env:" + URL_VARIABLE + ":-" + DEFAULT_URL + "}",
      description = "the platform's web address (VALENTIA_URL; default " + DEFAULT_URL + ")")
  String url;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:" + TOKEN_VARIABLE + "}",
      description = "API token (VALENTIA_TOKEN)")
  String token;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** The platform's address as given, without a trailing slash (not checked). */
  public String url() {
    String value = Lookup.value(url, URL_VARIABLE, DEFAULT_URL);
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  /** The API token, or null when none is given. */
  public String token() {
    return Lookup.value(token, TOKEN_VARIABLE, null);
  }

  /**
   * The API token.
   *
   * @throws ParameterException (bad usage) when none is given
   */
  public String requireToken() {
    String value = token();
    if (value == null) {
      throw new ParameterException(
          spec.commandLine(), "an API token is needed: --token or VALENTIA_TOKEN");
    }
    return value;
  }

  /**
   * A client of the platform at {@link #url()} with {@link #token()} (none when null).
   *
   * @throws ParameterException (bad usage) when the URL is not an http(s) address
   */
  public PlatformClient client() {
    String base = url();
    if (!PlatformClient.isHttpAddress(base)) {
      throw new ParameterException(
          spec.commandLine(), "--url must be an http(s) address, found " + base);
    }
    return new PlatformClient(base, token());
  }

  /**
   * {@code GET path} (from the platform's root, e.g. {@code /api/v1/silences}): see {@link
   * #client()}.
   */
  public PlatformClient.Answer get(String path) {
    return client().get(path);
  }

  /** {@code method path} with a JSON {@code body} (null for none): see {@link #client()}. */
  public PlatformClient.Answer send(String method, String path, String body) {
    return client().send(method, path, body);
  }
}
