package io.valentia.web.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.ValentiaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The API tokens beyond the first admin token, kept in {@code tokens.json} in the web data
 * directory: for each token only its SHA-256 hash, its name, role, who created it and when, and
 * when it was revoked. A token is {@code vt_} and 43 URL-safe base64 characters (256 random bits);
 * it is shown once, when created. Changes are written to a new file and moved into place, so a
 * crash never leaves a half-written store. Thread-safe; {@link #create} and {@link #revoke} do file
 * I/O and must not run on an event loop.
 */
public final class TokenStore implements ApiAuthenticator {
  static final String FILE = "tokens.json";
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One stored token.
   *
   * @param id a stable id to revoke it by
   * @param name who or what uses it (unique among live tokens)
   * @param role viewer, responder, operator or admin
   * @param sha256 the hash of the token, hex
   * @param created when
   * @param createdBy the principal that created it
   * @param revoked when it was revoked; null while it is valid
   */
  public record StoredToken(
      String id,
      String name,
      String role,
      String sha256,
      Instant created,
      String createdBy,
      Instant revoked) {}

  /** A token just created: {@code token} is the secret, shown only this once. */
  public record Created(StoredToken stored, String token) {}

  private final Path file;
  private final Map<String, StoredToken> byId = new LinkedHashMap<>();

  private TokenStore(Path file) {
    this.file = file;
  }

  /**
   * Opens the store in {@code dir} (an absent file is an empty store).
   *
   * @throws ValentiaException when the file exists but is not a token store
   */
  public static TokenStore open(Path dir) {
    TokenStore store = new TokenStore(dir.resolve(FILE));
    if (Files.exists(store.file)) {
      try {
        List<StoredToken> tokens =
            EventCodec.MAPPER.readValue(store.file.toFile(), new TypeReference<>() {});
        tokens.forEach(t -> store.byId.put(t.id(), t));
      } catch (IOException e) {
        throw new ValentiaException(
            store.file + " is not a token store (" + e.getMessage() + "); fix or remove it", e);
      }
    }
    return store;
  }

  /**
   * Creates a token.
   *
   * @throws IllegalArgumentException when the name is blank, too long or taken by a live token
   */
  public synchronized Created create(String name, Role role, String createdBy) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
      throw new IllegalArgumentException(
          "name must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or"
              + " digit");
    }
    if (name.equals("admin")
        || byId.values().stream().anyMatch(t -> t.revoked() == null && t.name().equals(name))) {
      throw new IllegalArgumentException("a token named " + name + " exists already");
    }
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String token = "vt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    StoredToken stored =
        new StoredToken(
            UUID.randomUUID().toString(),
            name,
            role.value(),
            HexFormat.of().formatHex(sha256(token)),
            Instant.now(),
            createdBy,
            null);
    byId.put(stored.id(), stored);
    save();
    return new Created(stored, token);
  }

  /** Revokes a token by id; false when there is no live token with that id. */
  public synchronized boolean revoke(String id) {
    StoredToken token = byId.get(id);
    if (token == null || token.revoked() != null) {
      return false;
    }
    byId.put(
        id,
        new StoredToken(
            token.id(),
            token.name(),
            token.role(),
            token.sha256(),
            token.created(),
            token.createdBy(),
            Instant.now()));
    save();
    return true;
  }

  /** Every token ever created, revoked ones included, oldest first. */
  public synchronized List<StoredToken> list() {
    return new ArrayList<>(byId.values());
  }

  /** The principal of a live token; empty for anything else. */
  public Optional<Principal> find(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] hash = sha256(token);
    List<StoredToken> tokens;
    synchronized (this) {
      tokens = new ArrayList<>(byId.values());
    }
    for (StoredToken stored : tokens) {
      if (stored.revoked() == null
          && MessageDigest.isEqual(hash, HexFormat.of().parseHex(stored.sha256()))) {
        return Optional.of(new Principal(stored.name(), stored.role()));
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<Principal> authenticateToken(String token) {
    return find(token);
  }

  private void save() {
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(FILE + ".tmp");
      Files.write(
          temp,
          EventCodec.MAPPER
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(byId.values())
              .getBytes(StandardCharsets.UTF_8));
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new ValentiaException("cannot write the token store " + file + ": " + e, e);
    }
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
