package dev.crane.schemas.registry;

/**
 * The registry could not be reached, or kept failing with 5xx, through every retry. Unlike its
 * parent this says nothing about the data: the same call may succeed later, so callers such as a
 * dead-letter handler should treat it as transient rather than blame the record.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
  public SchemaRegistryUnavailableException(String message, int httpStatus, Throwable cause) {
    super(message, httpStatus, -1, cause);
  }
}
