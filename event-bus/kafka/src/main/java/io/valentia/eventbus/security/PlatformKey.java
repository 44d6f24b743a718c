package io.valentia.eventbus.security;

import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The platform's signing key: 32 random bytes made at the first start and kept in {@code
 * DATA/secrets/platform.key}, readable by its owner only. Records that command the platform (on
 * {@code valentia.control} and in {@code valentia.state.schedules}) carry an HMAC-SHA256 made with
 * it, so that a client that can write those topics but cannot read this file cannot forge one.
 * Thread-safe.
 */
public final class PlatformKey {
  static final String FILE_NAME = "platform.key";
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  private PlatformKey(byte[] secret) {
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /** Where the key of the platform with data directory {@code dataDir} is. */
  public static Path file(Path dataDir) {
    return dataDir.resolve("secrets").resolve(FILE_NAME);
  }

  /**
   * Reads the key of {@code dataDir}, making it first when there is none.
   *
   * @throws ValentiaException when it is unreadable, malformed or readable by others
   */
  public static PlatformKey loadOrCreate(Path dataDir) {
    Path file = file(dataDir);
    if (!Files.exists(file)) {
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      OwnerOnlyFiles.createIfAbsent(
          file,
          (Base64.getEncoder().encodeToString(secret) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return read(file);
  }

  /** The key of {@code dataDir}; empty when the platform there never made one. */
  public static Optional<PlatformKey> find(Path dataDir) {
    Path file = file(dataDir);
    return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
  }

  /** A new random key, kept nowhere. */
  public static PlatformKey generate() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new PlatformKey(secret);
  }

  private static PlatformKey read(Path file) {
    if (OwnerOnlyFiles.tooOpen(file)) {
      throw new ValentiaException(
          file
              + " is readable or writable by others than its owner: chmod 600 it (and make a"
              + " new key if someone may have read it: remove it and restart the platform)");
    }
    try {
      byte[] secret = Base64.getDecoder().decode(Files.readString(file).trim());
      if (secret.length < 32) {
        throw new ValentiaException(file + " holds a key shorter than 32 bytes");
      }
      return new PlatformKey(secret);
    } catch (IllegalArgumentException e) {
      throw new ValentiaException(file + " does not hold a base64 key", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the platform key " + file, e);
    }
  }

  /**
   * The HMAC-SHA256 of {@code parts}, each preceded by its length (so that no two different lists
   * of parts sign alike); base64.
   */
  public String sign(byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      for (byte[] part : parts) {
        byte[] bytes = part == null ? new byte[0] : part;
        mac.update(
            ByteBuffer.allocate(5).put((byte) (part == null ? 0 : 1)).putInt(bytes.length).array());
        mac.update(bytes);
      }
      return Base64.getEncoder().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** Whether {@code signature} is {@link #sign} of {@code parts} (in constant time). */
  public boolean verify(String signature, byte[]... parts) {
    if (signature == null) {
      return false;
    }
    return MessageDigest.isEqual(
        sign(parts).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }

  /** The UTF-8 bytes of {@code text} (null stays null), for {@link #sign}. */
  public static byte[] utf8(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "PlatformKey[****]";
  }
}
