package io.valentia.web.auth;

import io.valentia.eventbus.Topics;
import io.valentia.eventbus.kafka.StateMigration;
import io.valentia.eventbus.kafka.StateTable;
import io.valentia.eventbus.service.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API tokens, kept in the state topic {@link Topics#STATE_TOKENS} keyed by token id: for each
 * token only its SHA-256 hash, its name, role, who created it and when, and when it was revoked.
 * Every web process reads the same table, so a token created on one works on all, and a revocation
 * reaches all as soon as their tables read it (well under a second on a healthy cluster). A token
 * is {@code vt_} and 43 URL-safe base64 characters (256 random bits); it is shown once, when
 * created.
 *
 * <p>The entry with id {@link AdminToken#ID} is the generated first admin token; {@link AdminToken}
 * authenticates it, not this store (so that {@code VALENTIA_ADMIN_TOKEN} replaces it), but it is
 * listed and may be revoked like any other.
 *
 * <p>Thread-safe. {@link #find} does not block (it reads the table in memory); {@link #create} and
 * {@link #revoke} wait for Kafka and must not run on an event loop.
 */
public final class TokenStore implements ApiAuthenticator {
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
      Instant revoked) {

    /** Whether it has not been revoked. */
    public boolean live() {
      return revoked == null;
    }

    StoredToken revokedAt(Instant when) {
      return new StoredToken(id, name, role, sha256, created, createdBy, when);
    }
  }

  /** A token just created: {@code token} is the secret, shown only this once. */
  public record Created(StoredToken stored, String token) {}

  private final StateTable<StoredToken> table;

  /**
   * Token id by the token's hash: a hash never changes for an id, so this index only ever grows;
   * whether a token is live is read from the table itself at each request.
   */
  private final Map<String, String> idByHash = new ConcurrentHashMap<>();

  private TokenStore(StateTable<StoredToken> table) {
    this.table = table;
  }

  /**
   * The tokens of {@code table} (the {@link Topics#STATE_TOKENS} table, restored or not; a token
   * not yet read is not found).
   */
  public static TokenStore open(StateTable<StoredToken> table) {
    TokenStore store = new TokenStore(table);
    table.listen(
        (id, before, after) -> {
          if (after != null && after.sha256() != null) {
            store.idByHash.put(after.sha256(), id);
          }
        });
    // after listen(): whatever was applied before it is in the snapshot, anything later is heard
    table.snapshot().forEach((id, t) -> store.idByHash.putIfAbsent(t.sha256(), id));
    return store;
  }

  /**
   * Creates a token and waits until Kafka has it.
   *
   * @throws IllegalArgumentException when the name is blank, too long or taken by a live token
   * @throws io.valentia.eventbus.ValentiaException when Kafka does not take it
   */
  public Created create(String name, Role role, String createdBy) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
      throw new IllegalArgumentException(
          "name must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or"
              + " digit");
    }
    synchronized (this) {
      if (name.equals(AdminToken.ID)
          || table.snapshot().values().stream().anyMatch(t -> t.live() && t.name().equals(name))) {
        throw new IllegalArgumentException("a token named " + name + " exists already");
      }
      String token = newSecret();
      StoredToken stored =
          new StoredToken(
              UUID.randomUUID().toString(),
              name,
              role.value(),
              hashHex(token),
              Instant.now(),
              createdBy,
              null);
      store(stored);
      return new Created(stored, token);
    }
  }

  /**
   * Revokes a token by id and waits until Kafka has it; false when there is no live token with that
   * id.
   */
  public synchronized boolean revoke(String id) {
    StoredToken token = table.get(id).orElse(null);
    if (token == null || !token.live()) {
      return false;
    }
    store(token.revokedAt(Instant.now()));
    return true;
  }

  /** Every token ever created, revoked ones included, oldest first. */
  public List<StoredToken> list() {
    List<StoredToken> tokens = new ArrayList<>(table.snapshot().values());
    tokens.sort(
        (a, b) ->
            a.created() == null || b.created() == null ? 0 : a.created().compareTo(b.created()));
    return tokens;
  }

  /** The stored token with {@code id}, live or revoked. */
  public Optional<StoredToken> get(String id) {
    return id == null ? Optional.empty() : table.get(id);
  }

  /** Whether {@code id} names a token that exists and is not revoked. */
  public boolean live(String id) {
    return get(id).map(StoredToken::live).orElse(false);
  }

  /** The principal of a live token other than the admin token; empty for anything else. */
  public Optional<Principal> find(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] hash = sha256(token);
    String id = idByHash.get(HexFormat.of().formatHex(hash));
    if (id == null || id.equals(AdminToken.ID)) {
      return Optional.empty();
    }
    return table
        .get(id)
        .filter(
            stored ->
                stored.live()
                    && MessageDigest.isEqual(hash, HexFormat.of().parseHex(stored.sha256())))
        .map(stored -> new Principal(stored.name(), stored.role(), stored.id()));
  }

  @Override
  public Optional<Principal> authenticateToken(String token) {
    return find(token);
  }

  /** Writes {@code token} as it is and waits until Kafka has it (and this table applied it). */
  void store(StoredToken token) {
    StateMigration.await(table.put(token.id(), token), "store token " + token.id());
  }

  static String newSecret() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return "vt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  static String hashHex(String secret) {
    return HexFormat.of().formatHex(sha256(secret));
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
