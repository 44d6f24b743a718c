package io.valentia.eventbus.broker;

import io.valentia.eventbus.ValentiaException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the embedded broker listens for clients and the address it gives them back in metadata
 * (Kafka's {@code listeners} and {@code advertised.listeners}). Clients connect to the advertised
 * address after their first request, so it must be reachable from wherever they run.
 *
 * @param bindHost the address the client listener binds: {@code 127.0.0.1} (the default), an
 *     address of this machine, or {@code 0.0.0.0} / {@code ::} for all of them
 * @param port the client port; 0 picks a free one at start
 * @param advertisedHost the host clients are told to connect to; never a wildcard address
 * @param advertisedPort the port clients are told; 0 means the port the listener got
 */
public record BrokerAddress(String bindHost, int port, String advertisedHost, int advertisedPort) {
  /** The default bind address: this machine only. */
  public static final String LOOPBACK = "127.0.0.1";

  public BrokerAddress {
    if (bindHost == null || bindHost.isBlank()) {
      throw new ValentiaException("the broker's bind address is empty");
    }
    if (port < 0 || port > 65535 || advertisedPort < 0 || advertisedPort > 65535) {
      throw new ValentiaException("a port must be between 0 and 65535");
    }
    if (advertisedHost == null || advertisedHost.isBlank()) {
      throw new ValentiaException("the broker's advertised host is empty");
    }
    if (isWildcard(advertisedHost)) {
      throw new ValentiaException(
          "the advertised address "
              + advertisedHost
              + " is not one clients can connect to: name this machine (--kafka-advertised"
              + " HOST[:PORT])");
    }
  }

  /** {@code 127.0.0.1:port}, advertised as itself. */
  public static BrokerAddress loopback(int port) {
    return new BrokerAddress(LOOPBACK, port, LOOPBACK, 0);
  }

  /**
   * The address for a bind host and an optional advertised {@code host[:port]}.
   *
   * @param bindHost the address to bind; null for {@link #LOOPBACK}
   * @param port the client port; 0 picks a free one
   * @param advertised {@code host} or {@code host:port} (IPv6 in brackets); null advertises the
   *     bind host, or this machine's name when the bind host is a wildcard
   * @throws ValentiaException when {@code advertised} cannot be read
   */
  public static BrokerAddress of(String bindHost, int port, String advertised) {
    String host = bindHost == null || bindHost.isBlank() ? LOOPBACK : bindHost.trim();
    if (advertised == null || advertised.isBlank()) {
      return new BrokerAddress(host, port, isWildcard(host) ? localHostName() : host, 0);
    }
    String value = advertised.trim();
    String advertisedHost = value;
    String portText = null;
    if (value.startsWith("[") && value.contains("]")) {
      int end = value.indexOf(']');
      advertisedHost = value.substring(0, end + 1);
      String rest = value.substring(end + 1);
      if (!rest.isEmpty()) {
        portText = rest.startsWith(":") ? rest.substring(1) : rest;
      }
    } else if (value.indexOf(':') > 0 && value.indexOf(':') == value.lastIndexOf(':')) {
      advertisedHost = value.substring(0, value.indexOf(':'));
      portText = value.substring(value.indexOf(':') + 1);
    }
    int advertisedPort = 0;
    if (portText != null) {
      try {
        advertisedPort = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw new ValentiaException(
            "the advertised address must be HOST or HOST:PORT, found \"" + advertised + "\"");
      }
    }
    return new BrokerAddress(host, port, advertisedHost, advertisedPort);
  }

  /** Whether the listener accepts only connections from this machine. */
  public boolean loopbackOnly() {
    try {
      return InetAddress.getByName(unbracketed(bindHost)).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** {@code advertisedHost:port}, given the port the listener got. */
  String advertised(int boundPort) {
    return inUrl(advertisedHost) + ":" + (advertisedPort == 0 ? boundPort : advertisedPort);
  }

  /** The bind host as a Kafka listener writes it (an IPv6 address in brackets). */
  String listenerHost() {
    return inUrl(bindHost);
  }

  private static String inUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  static boolean isWildcard(String host) {
    String h = unbracketed(host);
    return h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
  }

  static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new ValentiaException(
          "the broker binds every address but this machine has no name to advertise: give one"
              + " with --kafka-advertised HOST[:PORT]",
          e);
    }
  }
}
