package dev.crane.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crane.ops.cli.CliRunner;
import dev.crane.ops.cli.ExitCodes;
import dev.crane.ops.cli.VerboseOption;
import dev.crane.ops.connect.UnreachableException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class CliRunnerTest {
  @Command(name = "tool", subcommands = Sub.class)
  static final class Tool implements Runnable {
    @Mixin VerboseOption verbose;

    @Override
    public void run() {}
  }

  @Command(name = "sub")
  static final class Sub implements Callable<Integer> {
    @Option(names = "--fail") String fail;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      // printed without a newline, as a summary table's last line may be: it must still come out
      spec.commandLine().getOut().print("summary");
      switch (fail == null ? "" : fail) {
        case "unreachable" -> throw new ExecutionException(new UnreachableException("cannot reach X; set --x", null));
        case "config" -> throw new IllegalArgumentException("bad value for --y:\n  must be > 0");
        case "file" -> throw new NoSuchFileException("/no/such");
        case "bug" -> throw new IllegalStateException("state");
        default -> { }
      }
      return 0;
    }
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CliRunner.commandLine(new Tool());
    cl.setOut(new PrintWriter(out, false)); // no autoflush: CliRunner must flush
    cl.setErr(new PrintWriter(err, false));
    int code = CliRunner.execute(cl, args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void successFlushesWhatWasPrinted() {
    Run r = run("sub");
    assertThat(r.code).isZero();
    assertThat(r.out).isEqualTo("summary");
    assertThat(r.err).isEmpty();
  }

  @Test
  void eachFailureIsOneLineWithItsExitCode() {
    Run unreachable = run("sub", "--fail", "unreachable");
    assertThat(unreachable.code).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(unreachable.err).isEqualTo("error: cannot reach X; set --x" + System.lineSeparator());
    assertThat(unreachable.out).isEqualTo("summary");

    Run config = run("sub", "--fail", "config");
    assertThat(config.code).isEqualTo(ExitCodes.USAGE);
    assertThat(config.err.lines()).containsExactly("error: bad value for --y: must be > 0");

    Run file = run("sub", "--fail", "file");
    assertThat(file.code).isEqualTo(ExitCodes.FAILURE);
    assertThat(file.err.lines()).containsExactly("error: no such file or directory: /no/such");

    Run bug = run("sub", "--fail", "bug");
    assertThat(bug.code).isEqualTo(ExitCodes.FAILURE);
    assertThat(bug.err.lines()).containsExactly("error: state");
  }

  @Test
  void verboseAddsTheStackTraceOnAnySubcommand() {
    Run r = run("sub", "--fail", "bug", "--verbose");
    assertThat(r.code).isEqualTo(ExitCodes.FAILURE);
    assertThat(r.err.lines().findFirst()).contains("error: state");
    assertThat(r.err).contains("java.lang.IllegalStateException: state").contains("\tat ");
  }

  @Test
  void aBadFlagNamesItselfAndPointsToHelpInsteadOfPrintingTheUsage() {
    Run r = run("sub", "--fails", "x");
    assertThat(r.code).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err).contains("error: Unknown options: '--fails', 'x'").contains("--fail")
        .contains("(see 'tool sub --help')").doesNotContain("Usage:");
  }
}
