package dev.asp.protocol;

/**
 * Operator limits on message content, checked before anything is stored.
 *
 * @param maxContentBytes the largest content, measured as its JSON encoding in UTF-8 bytes
 * @param maxParts the most parts in an array content
 * @param maxMetadataBytes the largest metadata object, as JSON in UTF-8 bytes
 */
public record MessageLimits(int maxContentBytes, int maxParts, int maxMetadataBytes) {
  public static final MessageLimits DEFAULTS = new MessageLimits(256 * 1024, 64, 16 * 1024);
}
