package dev.crane.trainer.cli;

import dev.crane.ops.cli.CliRunner;
import dev.crane.ops.cli.VerboseOption;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.engine.NativeAllocator;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code trainer train|serve|retrain|publish|status|bench|bench-steps ...}. */
@Command(name = "trainer", mixinStandardHelpOptions = true, version = "trainer 0.1.0",
    description = "Trains and evaluates CRANE and baselines on MMRec-format datasets.",
    subcommands = {TrainCommand.class, ServeCommand.class, RetrainCommand.class, PublishCommand.class,
        StatusCommand.class, dev.crane.trainer.bench.TrainerBenchmark.class,
        dev.crane.trainer.bench.PairedStepBenchmark.class})
public final class TrainerCli implements Runnable {
  @CommandLine.Mixin VerboseOption verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand (train, serve, retrain, publish, status, bench, bench-steps)");
  }

  public static void main(String[] args) {
    OptionalInt child = NativeAllocator.relaunch(TrainerCli.class, args);
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    Devices.ensureOffline();
    CliRunner.main(new TrainerCli(), args);
  }
}
