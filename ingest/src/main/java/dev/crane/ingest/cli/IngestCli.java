package dev.crane.ingest.cli;

import dev.crane.ops.cli.CliRunner;
import dev.crane.ops.cli.VerboseOption;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the ingest role: {@code ingest dataset ...} or {@code ingest synthetic ...}. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    subcommands = {DatasetCommand.class, SyntheticCommand.class},
    description = "Publish interactions and item multimodal features to Kafka as Avro records.")
public final class IngestCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose a subcommand: dataset or synthetic");
  }

  @CommandLine.Mixin VerboseOption verbose;

  public static CommandLine commandLine() {
    return CliRunner.commandLine(new IngestCli());
  }

  public static void main(String[] args) {
    System.exit(CliRunner.execute(commandLine(), args));
  }
}
