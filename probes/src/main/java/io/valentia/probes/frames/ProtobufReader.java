package io.valentia.probes.frames;

/**
 * Just enough of the protobuf wire format to read Monado's metrics: varints, 64- and 32-bit fixed
 * fields and length-delimited fields over a byte array. Not thread-safe.
 */
final class ProtobufReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final byte[] bytes;
  private int position;
  private final int end;

  ProtobufReader(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.position = offset;
    this.end = offset + length;
  }

  boolean hasMore() {
    return position < end;
  }

  /** The next tag: field number {@code << 3 | wire type}. */
  int tag() {
    long tag = varint();
    if (tag >>> 32 != 0 || (tag >>> 3) == 0) {
      throw new MalformedProtobufException("bad tag " + tag);
    }
    return (int) tag;
  }

  long varint() {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= end) {
        throw new MalformedProtobufException("varint runs past the end");
      }
      byte b = bytes[position++];
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new MalformedProtobufException("varint longer than 10 bytes");
  }

  /** A length-delimited field's content as its own reader (advancing past it). */
  ProtobufReader message() {
    long length = varint();
    if (length < 0 || length > end - position) {
      throw new MalformedProtobufException("length " + length + " runs past the end");
    }
    ProtobufReader inner = new ProtobufReader(bytes, position, (int) length);
    position += (int) length;
    return inner;
  }

  /** Skips a field of {@code wireType}. */
  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> varint();
      case FIXED64 -> advance(8);
      case LENGTH_DELIMITED -> message();
      case FIXED32 -> advance(4);
      default -> throw new MalformedProtobufException("unsupported wire type " + wireType);
    }
  }

  private void advance(int n) {
    if (n > end - position) {
      throw new MalformedProtobufException("fixed field runs past the end");
    }
    position += n;
  }

  /** Bytes that are not the protobuf they should be. */
  static final class MalformedProtobufException extends RuntimeException {
    MalformedProtobufException(String message) {
      super(message);
    }
  }
}
