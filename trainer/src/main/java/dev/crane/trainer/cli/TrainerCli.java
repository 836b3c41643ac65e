package dev.crane.trainer.cli;

import dev.crane.ops.cli.CliRunner;
import dev.crane.ops.cli.VerboseOption;
import dev.crane.trainer.engine.Devices;
import dev.crane.trainer.engine.NativeAllocator;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code trainer train|serve|retrain|publish|status|bench|bench-steps|bench-breakdown ...}. */
@Command(name = "trainer", mixinStandardHelpOptions = true, version = "trainer 0.1.0",
    description = {"Trains and evaluates CRANE and baselines on MMRec-format datasets and snapshots (train, bench), and"
        + " runs the trainer service that turns the stream processor's snapshots into published model versions (serve,"
        + " retrain, publish, status)."},
    subcommands = {TrainCommand.class, ServeCommand.class, RetrainCommand.class, PublishCommand.class,
        StatusCommand.class, dev.crane.trainer.bench.TrainerBenchmark.class,
        dev.crane.trainer.bench.PairedStepBenchmark.class, dev.crane.trainer.bench.StepBreakdownBenchmark.class})
public final class TrainerCli implements Runnable {
  @CommandLine.Mixin VerboseOption verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand (train, serve, retrain, publish, status, bench, bench-steps, bench-breakdown)");
  }

  public static void main(String[] args) {
    OptionalInt child = NativeAllocator.relaunch(TrainerCli.class, args);
    if (child.isPresent()) {
      System.exit(child.getAsInt());
    }
    Devices.ensureOffline();
    CommandLine cl = CliRunner.commandLine(new TrainerCli());
    for (String service : java.util.List.of("serve", "retrain", "publish", "status")) {
      var usage = cl.getSubcommands().get(service).getCommandSpec().usageMessage();
      java.util.List<String> footer = new java.util.ArrayList<>(java.util.List.of("",
          "Settings, later ones winning: defaults, --config FILE, environment CRANE_TRAINER_<KEY> (dots as underscores,"
              + " e.g. CRANE_TRAINER_GATE_TOLERANCE), --set key=value; train.<field> sets a training setting (trainer"
              + " train --help). Keys:"));
      footer.addAll(dev.crane.trainer.service.ServiceConfig.describe());
      usage.footer(footer.toArray(String[]::new));
    }
    var train = cl.getSubcommands().get("train").getCommandSpec().usageMessage();
    java.util.List<String> trainFooter = new java.util.ArrayList<>(java.util.List.of(train.footer()));
    trainFooter.add("");
    trainFooter.add("Settings of --set name=value and of the service's train.<name> keys (the defaults shown are"
        + " before the model's own, above):");
    // picocli formats footers: a % in a description must not be read as a conversion
    dev.crane.trainer.config.TrainSettings.describe().forEach(l -> trainFooter.add(("  " + l).replace("%", "%%")));
    train.footer(trainFooter.toArray(String[]::new));
    System.exit(CliRunner.execute(cl, args));
  }
}
