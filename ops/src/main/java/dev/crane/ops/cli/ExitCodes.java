package dev.crane.ops.cli;

/** Exit statuses shared by every command, so that scripts can tell the failures apart. */
public final class ExitCodes {
  public static final int OK = 0;
  /** Something failed while running (an I/O error, a broker that refused a record, a bug). */
  public static final int FAILURE = 1;
  /** Bad usage, configuration or input data: fix the command line, the config or the file. */
  public static final int USAGE = 2;
  /** A dependency (Kafka broker, schema registry) could not be reached in time. */
  public static final int UNREACHABLE = 3;

  private ExitCodes() {}
}
