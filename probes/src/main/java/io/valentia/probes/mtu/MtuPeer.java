package io.valentia.probes.mtu;

import java.util.Locale;

/**
 * A peer of the MTU mesh: a host and, for the UDP echo agent, a port.
 *
 * @param host a host name or an IPv4/IPv6 address (without brackets)
 * @param port the echo agent's UDP port; 0 for an ICMP peer
 */
public record MtuPeer(String host, int port) {

  /** How events name the peer: {@code host:port} (brackets around IPv6), or the host for ICMP. */
  public String display() {
    if (port == 0) {
      return host;
    }
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Parses {@code HOST:PORT} (or {@code [V6]:PORT}); when {@code portRequired} is false a bare host
   * is allowed (ICMP peers) and any port is dropped.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static MtuPeer parse(String text, boolean portRequired) {
    String value = text == null ? "" : text.trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("empty peer");
    }
    String host;
    String port = null;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("\"" + text + "\": missing ] after an IPv6 address");
      }
      host = value.substring(1, close);
      String rest = value.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("\"" + text + "\": not [ADDRESS]:PORT");
        }
        port = rest.substring(1);
      }
    } else if (value.indexOf(':') != value.lastIndexOf(':')) {
      host = value; // a bare IPv6 address
    } else {
      int colon = value.indexOf(':');
      host = colon < 0 ? value : value.substring(0, colon);
      port = colon < 0 ? null : value.substring(colon + 1);
    }
    if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("\"" + text + "\": no host");
    }
    if (!portRequired) {
      return new MtuPeer(host.toLowerCase(Locale.ROOT), 0);
    }
    if (port == null) {
      throw new IllegalArgumentException("\"" + text + "\": not HOST:PORT (the agent's UDP port)");
    }
    int number;
    try {
      number = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      number = -1;
    }
    if (number < 1 || number > 65_535) {
      throw new IllegalArgumentException("\"" + text + "\": port must be 1 to 65535");
    }
    return new MtuPeer(host, number);
  }
}
