package dev.asp.client;

/**
 * An operator answered with an error: the HTTP status, the stable error {@code code} of the body
 * (e.g. {@code not_found}, {@code invalid_content}) and its human message.
 */
public final class AspClientException extends RuntimeException {
  private final int status;
  private final String code;

  public AspClientException(int status, String code, String message) {
    super(status + " " + code + ": " + message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
