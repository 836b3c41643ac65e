package dev.crane.ops.cli;

import dev.crane.ops.connect.UnreachableException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Runs a picocli command the way every role of the project does: a failure is one line on stderr
 * ({@code error: ...}) with an exit status from {@link ExitCodes}, the stack trace only with
 * {@code --verbose} ({@link VerboseOption}); a bad flag prints its message and a pointer to
 * {@code --help} instead of the whole usage; and stdout is flushed before the status is returned,
 * so a summary printed last is never lost to {@code System.exit}.
 */
public final class CliRunner {
  private CliRunner() {}

  /** A command line with the project's error handling. */
  public static CommandLine commandLine(Object command) {
    CommandLine cl = new CommandLine(command);
    cl.setExecutionExceptionHandler(CliRunner::onFailure);
    cl.setParameterExceptionHandler(CliRunner::onBadUsage);
    return cl;
  }

  /** Parses, runs and flushes; returns the exit status. */
  public static int execute(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } finally {
      cl.getOut().flush();
      cl.getErr().flush();
      System.out.flush();
      System.err.flush();
    }
  }

  /** {@code System.exit(execute(commandLine(command), args))}, for main methods. */
  public static void main(Object command, String... args) {
    System.exit(execute(commandLine(command), args));
  }

  static int onFailure(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    cmd.getOut().flush();
    err.println("error: " + oneLine(ex));
    if (parsed != null && parsed.expandedArgs().contains(VerboseOption.NAME)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return exitCode(ex);
  }

  static int onBadUsage(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("error: " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("(see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** The exit status a failure maps to. */
  public static int exitCode(Throwable ex) {
    if (find(ex, UnreachableException.class) != null) {
      return ExitCodes.UNREACHABLE;
    }
    Throwable t = unwrap(ex);
    return t instanceof IllegalArgumentException || t instanceof ParameterException
        || t.getClass().getSimpleName().equals("DatasetException") ? ExitCodes.USAGE : ExitCodes.FAILURE;
  }

  /** What a person reads: the message of the failure that matters, on one line. */
  public static String oneLine(Throwable ex) {
    UnreachableException unreachable = find(ex, UnreachableException.class);
    Throwable t = unreachable != null ? unreachable : unwrap(ex);
    String m = t.getMessage();
    String text;
    if (t instanceof NoSuchFileException) {
      text = "no such file or directory: " + m;
    } else if (t instanceof AccessDeniedException) {
      text = "permission denied: " + m;
    } else if (m == null || m.isBlank()) {
      text = t.getClass().getSimpleName();
    } else if (t instanceof IllegalArgumentException || t instanceof IllegalStateException
        || t instanceof UnreachableException || t.getClass().getName().startsWith("dev.crane.")) {
      text = m; // written for people
    } else {
      text = t.getClass().getSimpleName() + ": " + m;
    }
    return text.replaceAll("\\s*\\R\\s*", " ");
  }

  /** Strips wrappers that add nothing a person needs (an ExecutionException's own message repeats its cause's). */
  private static Throwable unwrap(Throwable ex) {
    Throwable t = ex;
    while (t.getCause() != null && (t instanceof ExecutionException || t instanceof CompletionException
        || t instanceof UncheckedIOException || t instanceof InvocationTargetException
        || t instanceof CommandLine.ExecutionException)) {
      t = t.getCause();
    }
    return t;
  }

  private static <T extends Throwable> T find(Throwable ex, Class<T> type) {
    for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
