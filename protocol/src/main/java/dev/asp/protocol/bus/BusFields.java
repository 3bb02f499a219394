package dev.asp.protocol.bus;

/** JSON field names that exist only on the event bus (wire names are in {@code Fields}). */
public final class BusFields {
  private BusFields() {}

  public static final String CALLER = "caller";
  public static final String TOKEN = "token";
  public static final String TOKEN_ID = "token_id";
  public static final String TOKENS = "tokens";
  public static final String PRINCIPAL = "principal";
  public static final String ROLE = "role";
  public static final String ROLE_ADMIN = "admin";
  public static final String ROLE_OWNER = "owner";
  public static final String OWNER = "owner";
  public static final String FROM = "from";
  public static final String TO = "to";
  public static final String REACHABLE = "reachable";
  public static final String WITH = "with";
  public static final String INBOUND_POLICY = "inbound_policy";
  public static final String ALLOWLIST = "allowlist";
  public static final String ENTRY = "entry";
  public static final String BLOCKED = "blocked";
  public static final String BLOCKS = "blocks";
  public static final String BLOCKER = "blocker";
  public static final String FORCE_LEFT = "force_left";
  public static final String AGENTS = "agents";
  public static final String SESSIONS = "sessions";
  public static final String DELETED = "deleted";
  public static final String AGENT = "agent";
  public static final String NODE = "node";
  public static final String LIVE_NODES = "live_nodes";
  public static final String DEAD_NODES = "dead_nodes";
  public static final String MIN_AGE_MS = "min_age_ms";
  public static final String OFFLINE = "offline";
  public static final String RECONNECTED = "reconnected";
  public static final String DISCONNECTED = "disconnected";
  public static final String CURSORS = "cursors";
  public static final String PREFIX = "prefix";
  public static final String EXTRAS = "extras";
  public static final String HEAD = "head";
  public static final String PARTICIPANTS = "participants";
  public static final String LEFT_SEQUENCE = "left_sequence";

  /**
   * In an announcement: one entry per event, parallel to {@code events}, null or the handles the
   * event is restricted to. Never inside an event: the wire envelope does not carry its audience.
   */
  public static final String AUDIENCES = "audiences";

  /** In an {@code EVENTS} request: also report the {@link #HIDDEN} sequences of the page. */
  public static final String WITH_HIDDEN = "with_hidden";

  /**
   * In an {@code EVENTS} reply (only when asked with {@link #WITH_HIDDEN}): the sequences of the
   * page the caller could see by its status but never will on this view (an audience without it, an
   * extension type), so a delivery cursor may count them as passed.
   */
  public static final String HIDDEN = "hidden";

  /** {@code EVENTS}: include extension events ({@code a2a.*}) as shown, for an opted-in view. */
  public static final String EXTENSIONS = "extensions";
}
