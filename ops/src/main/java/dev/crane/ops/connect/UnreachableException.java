package dev.crane.ops.connect;

/** A broker or registry did not answer in time. The message is the one line a person needs. */
public final class UnreachableException extends RuntimeException {
  public UnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
