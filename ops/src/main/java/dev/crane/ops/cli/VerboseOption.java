package dev.crane.ops.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --verbose}, inherited by every subcommand: a failure is then printed with its stack trace.
 * Without it a failure is one line (see {@link CliRunner}).
 */
public final class VerboseOption {
  public static final String NAME = "--verbose";

  @Option(names = NAME, scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace, not only the one-line error.")
  boolean verbose;
}
