package io.valentia.probes.mtu;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The UDP echo protocol between the prober and the echo agent. Every datagram starts with a 4-byte
 * tag and an 8-byte request id:
 *
 * <ul>
 *   <li>request {@code VMQ1 id replyBytes(int32)}, zero-padded to the size under test;
 *   <li>receipt {@code VMR1 id receivedBytes(int32)}: 16 bytes, sent first, so the prober knows the
 *       request arrived even when the large reply is lost;
 *   <li>echo {@code VME1 id}, zero-padded to the requested reply size (none when it is 0).
 * </ul>
 *
 * Sizes are UDP payload bytes: 1472 fills an IPv4 MTU of 1500, 8972 one of 9000.
 */
public final class EchoProtocol {
  /** The smallest datagram of the protocol, and so the smallest size that can be probed. */
  public static final int HEADER_BYTES = 16;

  /** The largest UDP payload over IPv4. */
  public static final int MAX_BYTES = 65_507;

  static final byte[] REQUEST = tag("VMQ1");
  static final byte[] RECEIPT = tag("VMR1");
  static final byte[] ECHO = tag("VME1");

  private EchoProtocol() {}

  /** What a datagram is. */
  enum Kind {
    REQUEST,
    RECEIPT,
    ECHO
  }

  /**
   * A decoded datagram.
   *
   * @param value reply bytes for a request, received bytes for a receipt, datagram length for an
   *     echo
   */
  record Message(Kind kind, long id, int value) {}

  static byte[] request(long id, int sizeBytes, int replyBytes) {
    ByteBuffer buffer = ByteBuffer.allocate(Math.max(HEADER_BYTES, sizeBytes));
    buffer.put(REQUEST).putLong(id).putInt(replyBytes);
    return buffer.array();
  }

  static byte[] receipt(long id, int receivedBytes) {
    return ByteBuffer.allocate(HEADER_BYTES).put(RECEIPT).putLong(id).putInt(receivedBytes).array();
  }

  static byte[] echo(long id, int replyBytes) {
    ByteBuffer buffer =
        ByteBuffer.allocate(Math.max(HEADER_BYTES, Math.min(MAX_BYTES, replyBytes)));
    buffer.put(ECHO).putLong(id);
    return buffer.array();
  }

  /** Decodes a datagram; empty when it is not one of the protocol's. */
  static Optional<Message> decode(byte[] data, int offset, int length) {
    if (length < HEADER_BYTES) {
      return Optional.empty();
    }
    ByteBuffer buffer = ByteBuffer.wrap(data, offset, length);
    byte[] tag = new byte[4];
    buffer.get(tag);
    long id = buffer.getLong();
    int value = buffer.getInt();
    if (Arrays.equals(tag, REQUEST)) {
      return Optional.of(new Message(Kind.REQUEST, id, value));
    }
    if (Arrays.equals(tag, RECEIPT)) {
      return Optional.of(new Message(Kind.RECEIPT, id, value));
    }
    if (Arrays.equals(tag, ECHO)) {
      return Optional.of(new Message(Kind.ECHO, id, length));
    }
    return Optional.empty();
  }

  private static byte[] tag(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
