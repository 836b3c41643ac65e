package dev.crane.api.serving;

/** A request the service refuses, with what was wrong; the transport maps the kind to its status. */
public final class ApiException extends RuntimeException {
  /** Why. */
  public enum Kind { INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE }

  private final Kind kind;

  public ApiException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  static ApiException invalid(String message) {
    return new ApiException(Kind.INVALID_ARGUMENT, message);
  }
}
