package io.valentia.web.auth;

import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The second line beside the CSRF token for changes made with a browser session: the request's
 * {@code Origin} (or, when a browser sent none, the origin of its {@code Referer}) must be this
 * server's own origin as the client sees it ({@link ClientAddress#origin}) or one of the configured
 * allowed origins. A request with neither header, or with {@code Origin: null}, is refused: every
 * browser in use sends {@code Origin} on such requests. Immutable, thread-safe.
 */
public final class OriginCheck {
  private final ClientAddress client;
  private final List<String> allowed;

  /**
   * @param allowed origins ({@code scheme://host[:port]}) besides the server's own; each must pass
   *     {@link #checkOrigin}
   */
  public OriginCheck(ClientAddress client, List<String> allowed) {
    this.client = client;
    this.allowed = allowed.stream().map(OriginCheck::normalize).toList();
  }

  /** Why {@code origin} is not an origin; null when it is one. */
  public static String checkOrigin(String origin) {
    try {
      URI uri = URI.create(origin.trim());
      if (uri.getScheme() == null
          || !(uri.getScheme().equalsIgnoreCase("http")
              || uri.getScheme().equalsIgnoreCase("https"))
          || uri.getHost() == null
          || (uri.getRawPath() != null
              && !uri.getRawPath().isEmpty()
              && !uri.getRawPath().equals("/"))
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        return "\"" + origin + "\" is not an origin (write scheme://host[:port], no path)";
      }
      return null;
    } catch (IllegalArgumentException e) {
      return "\"" + origin + "\" is not an origin (write scheme://host[:port], no path)";
    }
  }

  /** Whether the request comes from an origin allowed to change things. */
  public boolean allows(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    if (origin == null) {
      origin = refererOrigin(request.getHeader("Referer"));
    }
    if (origin == null || origin.isBlank() || origin.trim().equals("null")) {
      return false;
    }
    String presented = normalize(origin);
    String own = client.origin(request);
    return presented.equals(own == null ? null : normalize(own)) || allowed.contains(presented);
  }

  private static String refererOrigin(String referer) {
    if (referer == null) {
      return null;
    }
    try {
      URI uri = URI.create(referer.trim());
      if (uri.getScheme() == null || uri.getRawAuthority() == null) {
        return null;
      }
      return uri.getScheme() + "://" + uri.getRawAuthority();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Lower case, without a trailing slash or the scheme's default port. */
  static String normalize(String origin) {
    String value = origin.trim().toLowerCase(Locale.ROOT);
    if (value.endsWith("/")) {
      value = value.substring(0, value.length() - 1);
    }
    if (value.startsWith("http://") && value.endsWith(":80")) {
      value = value.substring(0, value.length() - 3);
    } else if (value.startsWith("https://") && value.endsWith(":443")) {
      value = value.substring(0, value.length() - 4);
    }
    return value;
  }
}
