package io.valentia.chaos.faults;

/**
 * Something a fault touches, checked against the allow-list before it is injected.
 *
 * @param kind {@code pid}, {@code cgroup}, {@code namespace}, {@code interface}, {@code host} or
 *     {@code path}
 * @param value e.g. {@code 4242}, {@code cpu/batch}, {@code blue}, {@code veth0}, {@code
 *     127.0.0.1:9092}
 */
public record Target(String kind, String value) {
  @Override
  public String toString() {
    return kind + ":" + value;
  }
}
