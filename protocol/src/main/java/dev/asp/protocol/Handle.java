package dev.asp.protocol;

import java.util.regex.Pattern;

/**
 * An agent's address on the network: {@code @owner.agent}, lowercase alphanumerics, _ and -, each
 * part 1..{@value #MAX_PART} characters. The ASP grammar sets no length; this operator does, so a
 * handle always fits a URL path segment and a log line (a 10,000-character one could be created and
 * then not be managed: 414).
 */
public final class Handle {
  /** The longest owner name, and the longest agent name after the owner's dot. */
  public static final int MAX_PART = 64;

  private static final String PART = "[a-z0-9_-]{1," + MAX_PART + "}";
  private static final Pattern HANDLE = Pattern.compile("^@" + PART + "\\." + PART + "$");
  private static final Pattern OWNER = Pattern.compile("^" + PART + "$");
  private static final Pattern ALLOWLIST_ENTRY =
      Pattern.compile("^@" + PART + "\\.(" + PART + "|\\*)$");

  private Handle() {}

  public static boolean isValid(String handle) {
    return handle != null && HANDLE.matcher(handle).matches();
  }

  /** Returns the handle unchanged, or throws {@link ErrorCode#INVALID_HANDLE}. */
  public static String require(String handle) {
    if (!isValid(handle)) {
      throw new AspException(
          ErrorCode.INVALID_HANDLE, "invalid handle: expected @owner.agent in [a-z0-9_-]");
    }
    return handle;
  }

  /** The owner part of a valid handle: {@code @acme.support} → {@code acme}. */
  public static String owner(String handle) {
    return handle.substring(1, handle.indexOf('.'));
  }

  public static boolean isValidOwner(String owner) {
    return owner != null && OWNER.matcher(owner).matches();
  }

  /** An allowlist entry is an exact handle or an owner glob {@code @owner.*}. */
  public static boolean isValidAllowlistEntry(String entry) {
    return entry != null && ALLOWLIST_ENTRY.matcher(entry).matches();
  }

  /** Whether an allowlist entry (exact handle or {@code @owner.*}) admits the given handle. */
  public static boolean entryMatches(String entry, String handle) {
    if (entry.endsWith(".*")) {
      return handle.startsWith(entry.substring(0, entry.length() - 1));
    }
    return entry.equals(handle);
  }
}
