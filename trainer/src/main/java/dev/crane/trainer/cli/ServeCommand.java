package dev.crane.trainer.cli;

import dev.crane.ops.metrics.MetricsServer;
import dev.crane.trainer.service.ServiceConfig;
import dev.crane.trainer.service.TrainerService;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trainer serve}: the trainer service, until SIGTERM or Ctrl+C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train on each new snapshot of topic snapshots (a fine-tune from the accepted model, or from scratch "
        + "when there is none), gate it on the holdout against the serving model and publish accepted versions to "
        + "user-embeddings, item-embeddings and model-versions. Runs until SIGTERM or Ctrl+C; /metrics and /health "
        + "on metrics.port."})
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Mixin ServiceOptions options;

  @Option(names = "--force", description = "Publish every candidate, whatever the gate says (gate.enabled=false).")
  boolean force;

  @Override
  public Integer call() throws Exception {
    ServiceConfig c = force ? options.load("gate.enabled=false") : options.load();
    ServiceOptions.checkReachable(c);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    try (TrainerService service = TrainerService.start(c, registry, TrainerService.Hooks.NONE);
        MetricsServer server = c.metricsPort() < 0 ? null : new MetricsServer(c.metricsPort(), registry, service::healthy)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        LOG.info("stopping after the current step (a training ends after its current epoch)");
        stop.set(true);
        try {
          done.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "trainer-shutdown"));
      LOG.info("trainer service running (model {}, state.dir {}, metrics on port {}); Ctrl+C or SIGTERM stops it",
          c.model(), c.stateDir(), server == null ? "off" : server.port());
      service.run(stop::get);
    } finally {
      done.countDown();
    }
    return 0;
  }
}
