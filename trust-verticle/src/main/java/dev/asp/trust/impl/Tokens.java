package dev.asp.trust.impl;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Bearer tokens and their identifiers. A token is 256 random bits, so a plain SHA-256 is a safe
 * stored form (no dictionary to attack) and cheap enough for an event loop. The plaintext exists
 * only in the {@link Issued} returned once to the caller: never log it, never put it in an error.
 */
public final class Tokens {
  public static final String AGENT_PREFIX = "tok_";
  public static final String OWNER_PREFIX = "own_";
  public static final String TOKEN_ID_PREFIX = "tkn_";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  private Tokens() {}

  /** A freshly issued token: its public id, the secret (shown once) and the hash to store. */
  public record Issued(String tokenId, String token, Buffer hash) {
    @Override
    public String toString() {
      return "Issued[tokenId=" + tokenId + "]";
    }
  }

  public static Issued newAgentToken() {
    return issue(AGENT_PREFIX);
  }

  public static Issued newOwnerToken() {
    return issue(OWNER_PREFIX);
  }

  /**
   * A hub node's secret: 256 random bits as 64 lowercase hex and nothing else, the only form the
   * official A2A client accepts (hub spec §2.1).
   */
  public static Issued newNodeSecret() {
    String token = randomHex(32);
    return new Issued(newTokenId(), token, hash(token));
  }

  /** {@code bytes} random bytes as lowercase hex (twice as many characters). */
  public static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /** The id of a given (e.g. seeded) token, with its hash. */
  public static Issued forToken(String token) {
    return new Issued(newTokenId(), token, hash(token));
  }

  /**
   * {@code tkn_} and a ULID (48 bits of milliseconds, 80 random bits, Crockford base32), the shape
   * of the protocol's other ids: sorts by issue time, matches {@code [0-9A-Za-z_]+}.
   */
  public static String newTokenId() {
    char[] out = new char[26];
    long time = System.currentTimeMillis();
    for (int i = 9; i >= 0; i--) {
      out[i] = CROCKFORD[(int) (time & 31)];
      time >>>= 5;
    }
    for (int i = 10; i < 26; i++) {
      out[i] = CROCKFORD[RANDOM.nextInt(32)];
    }
    return TOKEN_ID_PREFIX + new String(out);
  }

  public static Buffer hash(String token) {
    return Buffer.buffer(sha256(token));
  }

  /** Compares two secrets in time independent of where they differ. */
  public static boolean constantTimeEquals(byte[] expectedHash, String candidate) {
    return MessageDigest.isEqual(expectedHash, sha256(candidate));
  }

  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  private static Issued issue(String prefix) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = prefix + BASE64URL.encodeToString(secret);
    return new Issued(newTokenId(), token, hash(token));
  }
}
