package dev.crane.trainer.cli;

import dev.crane.trainer.service.ServiceConfig;
import dev.crane.trainer.service.TrainerService;
import dev.crane.trainer.train.Checkpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code trainer publish}: a saved model as the next version. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Publish a checkpoint (of trainer train or trainer retrain) as the next model version, rebuilt on the "
        + "data it belongs to (an MMRec directory or a snapshot, possibly a later one: new users and items are placed "
        + "as a warm start places them). No gate: this is a deliberate act. The model becomes the service's accepted one."})
public final class PublishCommand implements Callable<Integer> {
  @Mixin ServiceOptions options;

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "A checkpoint directory.")
  Path checkpoint;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "The data to place it on: the snapshot or dataset it was trained on, or a later snapshot.")
  Path data;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ServiceConfig c = options.load();
    Checkpoint ckpt = Checkpoint.load(checkpoint);
    ServiceOptions.checkReachable(c);
    try (TrainerService service = TrainerService.start(c, new SimpleMeterRegistry(), TrainerService.Hooks.NONE)) {
      long version = service.publishCheckpoint(ckpt, data, () -> false);
      spec.commandLine().getOut().println("published " + ckpt.meta().model + " from " + checkpoint + " as version " + version);
      return 0;
    }
  }
}
