package io.valentia.notifications.alert;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alertmanager's label-set fingerprint (Prometheus {@code model.LabelSet.Fingerprint}): 64-bit
 * FNV-1a over each label name and value in name order, each followed by the byte {@code 0xff},
 * printed as 16 hex digits.
 */
public final class Fingerprints {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;
  private static final byte SEPARATOR = (byte) 0xff;

  private Fingerprints() {}

  /** The fingerprint of {@code labels}. */
  public static String of(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return String.format("%016x", OFFSET);
    }
    long hash = OFFSET;
    for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
      hash = add(hash, label.getKey());
      hash = addByte(hash, SEPARATOR);
      hash = add(hash, label.getValue());
      hash = addByte(hash, SEPARATOR);
    }
    return String.format("%016x", hash);
  }

  private static long add(long hash, String text) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash = addByte(hash, b);
    }
    return hash;
  }

  private static long addByte(long hash, byte b) {
    return (hash ^ (b & 0xff)) * PRIME;
  }
}
