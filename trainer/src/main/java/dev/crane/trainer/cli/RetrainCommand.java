package dev.crane.trainer.cli;

import dev.crane.trainer.service.ServiceConfig;
import dev.crane.trainer.service.TrainerService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code trainer retrain}: a training from scratch on a snapshot, on demand. */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train from scratch on a snapshot directory and score the result against the accepted model on its "
        + "holdout; with --publish, gate and publish it as the next version (the service's state.dir must not be in "
        + "use by a running trainer serve)."})
public final class RetrainCommand implements Callable<Integer> {
  @Mixin ServiceOptions options;

  @Option(names = "--snapshot", required = true, paramLabel = "DIR", description = "A snapshot directory (v00000012).")
  Path snapshot;

  @Option(names = "--publish", description = "Publish the model if the gate accepts it.")
  boolean publish;

  @Option(names = "--force", description = "With --publish: publish whatever the gate says.")
  boolean force;

  @Option(names = "--out", paramLabel = "DIR", description = "Also save the checkpoint here.")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ServiceConfig c = force ? options.load("gate.enabled=false") : options.load();
    if (publish) {
      ServiceOptions.checkReachable(c);
    }
    try (TrainerService service = TrainerService.start(c, new SimpleMeterRegistry(), TrainerService.Hooks.NONE)) {
      TrainerService.Report r = service.retrain(snapshot, publish, () -> false);
      PrintWriter w = spec.commandLine().getOut();
      Map<String, Double> v = r.candidate().valid();
      w.printf(Locale.ROOT, "%s on snapshot %s: trained from scratch in %.1f s (%d epochs, %s)%n", r.candidate().config().model(),
          snapshot, r.took().toMillis() / 1e3, r.candidate().result().history().size(), r.candidate().result().stopReason());
      w.printf(Locale.ROOT, "holdout R@20 %.4f  N@20 %.4f%s%n", v.getOrDefault("recall@20", Double.NaN),
          v.getOrDefault("ndcg@20", Double.NaN), r.candidate().baseline().isEmpty() ? ""
              : String.format(Locale.ROOT, "  (serving model on this holdout: R@20 %.4f)", r.candidate().baselineRecall20()));
      if (!r.candidate().test().isEmpty()) {
        w.printf(Locale.ROOT, "test    R@20 %.4f  N@20 %.4f%n", r.candidate().test().get("recall@20"),
            r.candidate().test().get("ndcg@20"));
      }
      w.printf("gate: %s (%s)%n", r.decision().publish() ? "accept" : "reject", r.decision().reason());
      if (publish) {
        w.println(r.written() ? (r.decision().publish() ? "published as version " : "recorded as rejected version ")
            + r.version() : "not published");
      }
      if (out != null) {
        r.checkpoint().save(out);
        w.println("checkpoint " + out);
      }
      return !publish || r.decision().publish() ? 0 : 1;
    }
  }
}
