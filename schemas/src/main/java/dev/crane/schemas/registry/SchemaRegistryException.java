package dev.crane.schemas.registry;

/**
 * The registry answered, but not with what was asked for (unknown subject or id, incompatible or
 * invalid schema, ...). {@link #errorCode()} is the Confluent {@code error_code} (e.g. 40401
 * subject not found, 40403 schema not found, 409 incompatible, 42201 invalid schema), or -1 when
 * the response carried none.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, int httpStatus, int errorCode) {
    this(message, httpStatus, errorCode, null);
  }

  /** HTTP status of the failing response; 0 when no response arrived. */
  public int httpStatus() {
    return httpStatus;
  }

  public int errorCode() {
    return errorCode;
  }

  /** True for 404 answers: the subject, version or schema id does not exist. */
  public boolean isNotFound() {
    return httpStatus == 404;
  }
}
