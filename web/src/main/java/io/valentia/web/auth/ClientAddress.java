package io.valentia.web.auth;

import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who is really at the other end of a request, and whether it came over TLS, believing the {@code
 * X-Forwarded-For}, {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} headers only from the
 * configured trusted proxies (addresses or CIDR blocks, IPv4 or IPv6). A request from anywhere else
 * is taken as it arrived: anyone can write those headers. Immutable, thread-safe.
 */
public final class ClientAddress {
  private final List<Block> trusted;

  /**
   * @param trustedProxies addresses ({@code 10.0.0.5}) and CIDR blocks ({@code 10.0.0.0/8}); each
   *     must pass {@link #checkProxy}
   */
  public ClientAddress(List<String> trustedProxies) {
    List<Block> blocks = new ArrayList<>();
    for (String proxy : trustedProxies) {
      String problem = checkProxy(proxy);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      blocks.add(Block.parse(proxy));
    }
    this.trusted = List.copyOf(blocks);
  }

  /** Trusts no proxy. */
  public static final ClientAddress DIRECT = new ClientAddress(List.of());

  /** Why {@code proxy} is not an address or CIDR block; null when it is one. */
  public static String checkProxy(String proxy) {
    try {
      Block.parse(proxy);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** Whether the request's peer is a trusted proxy. */
  public boolean fromTrustedProxy(HttpServerRequest request) {
    return request.remoteAddress() != null && trusted(request.remoteAddress().hostAddress());
  }

  /**
   * The client's address: the peer's, or behind trusted proxies the right-most address of {@code
   * X-Forwarded-For} that is not itself a trusted proxy. Null when the peer is unknown.
   */
  public String of(HttpServerRequest request) {
    if (request.remoteAddress() == null) {
      return null;
    }
    String peer = request.remoteAddress().hostAddress();
    if (!trusted(peer)) {
      return peer;
    }
    List<String> chain = new ArrayList<>();
    for (String header : request.headers().getAll("X-Forwarded-For")) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          chain.add(hop.trim());
        }
      }
    }
    for (int i = chain.size() - 1; i >= 0; i--) {
      String hop = chain.get(i);
      if (!trusted(hop)) {
        return literal(hop) ? hop : peer;
      }
    }
    return peer;
  }

  /**
   * Whether the client reached us over TLS: this connection is TLS, or a trusted proxy says in
   * {@code X-Forwarded-Proto} that the client's was.
   */
  public boolean secure(HttpServerRequest request) {
    if (request.isSSL()) {
      return true;
    }
    return "https".equals(forwarded(request, "X-Forwarded-Proto"));
  }

  /**
   * This server's origin as the client sees it: {@code scheme://host[:port]}, from the {@code Host}
   * header (or a trusted proxy's {@code X-Forwarded-Host}); null without a host.
   */
  public String origin(HttpServerRequest request) {
    String host = forwarded(request, "X-Forwarded-Host");
    if (host == null && request.authority() != null) {
      // the Host header, or HTTP/2's :authority
      String name = request.authority().host();
      if (name.indexOf(':') >= 0 && !name.startsWith("[")) {
        name = "[" + name + "]";
      }
      int port = request.authority().port();
      host = port < 0 ? name : name + ":" + port;
    }
    if (host == null || host.isBlank()) {
      return null;
    }
    return (secure(request) ? "https" : "http") + "://" + host.trim().toLowerCase(Locale.ROOT);
  }

  /** The last value of a forwarding header when a trusted proxy sent it, lower-cased; else null. */
  private String forwarded(HttpServerRequest request, String name) {
    if (!fromTrustedProxy(request)) {
      return null;
    }
    String value = request.getHeader(name);
    if (value == null || value.isBlank()) {
      return null;
    }
    String[] parts = value.split(",");
    return parts[parts.length - 1].trim().toLowerCase(Locale.ROOT);
  }

  private boolean trusted(String address) {
    if (trusted.isEmpty() || !literal(address)) {
      return false;
    }
    byte[] raw = Block.bytes(address);
    return trusted.stream().anyMatch(b -> b.contains(raw));
  }

  private static boolean literal(String address) {
    return address.matches("[0-9.]+") || address.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  }

  /** An address block: the first {@code bits} bits of {@code prefix}. */
  private record Block(byte[] prefix, int bits) {
    static Block parse(String text) {
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("an empty proxy address");
      }
      String value = text.trim();
      int slash = value.indexOf('/');
      String address = slash < 0 ? value : value.substring(0, slash);
      if (!literal(address)) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not an IP address or CIDR block (names are not resolved)");
      }
      byte[] prefix = bytes(address);
      int bits = prefix.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(value.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > prefix.length * 8) {
          throw new IllegalArgumentException(
              "\"" + text + "\": the prefix length must be 0 to " + prefix.length * 8);
        }
      }
      return new Block(prefix, bits);
    }

    static byte[] bytes(String literal) {
      try {
        return InetAddress.getByName(literal).getAddress(); // a literal: no lookup
      } catch (UnknownHostException | SecurityException e) {
        throw new IllegalArgumentException("\"" + literal + "\" is not an IP address");
      }
    }

    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (prefix[full] & mask);
    }
  }
}
