package dev.asp.storage;

/** PostgreSQL SQLSTATE codes the operator reacts to. */
public final class SqlStates {
  private SqlStates() {}

  public static final String UNIQUE_VIOLATION = "23505";
  public static final String FOREIGN_KEY_VIOLATION = "23503";
  public static final String SERIALIZATION_FAILURE = "40001";
  public static final String DEADLOCK_DETECTED = "40P01";

  /** Class 08: connection exceptions. */
  public static final String CONNECTION_CLASS = "08";

  /** Class 53: insufficient resources. */
  public static final String RESOURCES_CLASS = "53";

  /** Class 57: operator intervention (admin shutdown, cannot connect now). */
  public static final String OPERATOR_INTERVENTION_CLASS = "57";
}
