package dev.crane.stream.topology;

/**
 * The schema registry could not be reached for longer than the configured retry time. Not the
 * record's fault, so the record is not dead-lettered: the stream thread fails and is replaced, and
 * processing resumes from the last commit.
 */
public class RegistryUnavailableException extends RuntimeException {
  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
