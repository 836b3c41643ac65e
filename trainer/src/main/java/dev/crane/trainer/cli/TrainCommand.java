package dev.crane.trainer.cli;

import dev.crane.ingest.dataset.DatasetException;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.MmrecReader;
import dev.crane.ops.progress.Progress;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.config.Model;
import dev.crane.trainer.report.SummaryTable;
import dev.crane.trainer.run.TrainingRun;
import dev.crane.trainer.train.EpochRecord;
import dev.crane.trainer.train.TrainingListener;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainer train}: one training run with a progress bar, an epoch log, a summary and output files. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model on an MMRec dataset directory and report MMRec metrics.",
    footer = {"", "Unset options take the model's defaults: MMRec's overall.yaml and model configs for the baselines"
        + " and crane-ref (batch 2048, lr 1e-3, patience 20, dim 64, 2 GCN layers); for crane, paper Table 3's column"
        + " for the dataset's name (baby, sports, clothing, electronics; tiktok: ours, see"
        + " docs/benchmarks.md), Baby's column otherwise. metrics.json records the values used."})
public final class TrainCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

  @Option(names = "--data", required = true, description = "directory with <name>.inter (and <modality>_feat.npy)")
  Path data;

  @Option(names = "--model", required = true, description = "crane | crane-ref | freedom | lightgcn | bpr")
  String model;

  @Option(names = "--out", description = "output directory (default runs/<dataset>-<model>-<time>)")
  Path out;

  @Option(names = "--seed", description = "RNG seed for initialisation, batches, negatives and edge pruning (default 999)") Long seed;
  @Option(names = "--epochs", description = "maximum epochs (early stopping usually ends sooner)") Integer epochs;
  @Option(names = "--patience", description = "evaluations without a better valid Recall@20 before stopping") Integer patience;
  @Option(names = "--batch-size", description = "training triples per step") Integer batchSize;
  @Option(names = "--lr", description = "Adam learning rate") Float lr;
  @Option(names = "--dim", description = "embedding width") Integer dim;
  @Option(names = "--layers", description = "user-item GCN layers") Integer layers;
  @Option(names = "--reg-weight", description = "bpr/lightgcn: embedding regulariser weight; freedom:"
      + " weight of the modality BPR terms; crane's L2 weight is --set lambdaReg=...") Float regWeight;
  @Option(names = "--drop-ratio", description = "edge-pruning ratio rho") Float dropRatio;
  @Option(names = "--knn-k", description = "neighbours per item in the item-item kNN graph") Integer knnK;
  @Option(names = "--attention-axis", description = "crane-ref: items (as the published code, quadratic in the"
      + " catalog) | modalities (per-item cross-modal)") String attentionAxis;
  @Option(names = "--cpu", description = "stay on the CPU even when a GPU is found") boolean cpu;
  @Option(names = "--no-progress", description = "no progress bar (shown only on a terminal; otherwise a progress"
      + " line every 10 s)") boolean noProgress;

  @Option(names = "--set", description = "any other setting, e.g. --set tau=0.5 (repeatable); every name is listed below")
  List<String> sets = new ArrayList<>();

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TrainConfig c;
    MmrecDataset ds;
    try {
      TrainConfig.Builder b = TrainConfig.builder(Model.parse(model)); // an unknown model fails before the data is read
      ds = MmrecReader.read(data); // strict: the first bad line or feature row stops here, before training
      if (Model.parse(model) == Model.CRANE) {
        // per-dataset paper Table 3 values first, explicit flags win
        dev.crane.trainer.model.crane.PaperHyperparameters.apply(b, ds.name());
      }
      applyOverrides(b);
      c = b.build();
    } catch (DatasetException | IllegalArgumentException | java.io.IOException e) {
      return fail(e);
    }
    Path dir = out != null ? out : Path.of("runs", ds.name() + "-" + model + "-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    String command = "trainer train " + String.join(" ", commandArgs());
    LOG.info("output in {}; to end early with the best epoch's results, create {}", dir,
        dir.resolve(TrainingRun.STOP_FILE));
    TrainingRun.Report report;
    try {
      report = TrainingRun.run(ds, c, dir, command, new EpochProgress(!noProgress));
    } catch (IllegalArgumentException e) {
      return fail(e);
    }
    System.out.print(SummaryTable.render(c.model().cliName(), ds.name(), report.result()));
    System.out.printf("device %s, peak RSS %.2f GB%nmetrics %s%ncurves  %s%ncheckpoint %s%n", report.device(),
        report.peakRssBytes() / 1e9, report.metricsJson(), report.curvesPng(), report.checkpointDir());
    return 0;
  }

  /** Bad data or configuration: one clear line on stderr, exit code 2, nothing trained. */
  private int fail(Exception e) {
    spec.commandLine().getErr().println("error: " + e.getMessage());
    spec.commandLine().getErr().flush();
    return 2;
  }

  /** The options, then --set: each checked by its setting's rule, a bad one named by its option. */
  void applyOverrides(TrainConfig.Builder c) {
    option(c, "--seed", "seed", seed);
    option(c, "--epochs", "epochs", epochs);
    option(c, "--patience", "patience", patience);
    option(c, "--batch-size", "batchSize", batchSize);
    option(c, "--lr", "learningRate", lr);
    option(c, "--dim", "embeddingDim", dim);
    option(c, "--layers", "uiLayers", layers);
    option(c, "--reg-weight", "regWeight", regWeight);
    option(c, "--drop-ratio", "dropRatio", dropRatio);
    option(c, "--knn-k", "knnK", knnK);
    option(c, "--attention-axis", "attentionAxis", attentionAxis);
    c.forceCpu(cpu);
    for (String s : sets) {
      c.set(s);
    }
  }

  private static void option(TrainConfig.Builder c, String option, String setting, Object value) {
    if (value != null) {
      try {
        c.set(setting, value.toString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
      }
    }
  }

  private List<String> commandArgs() {
    List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--model", model));
    if (out != null) a.addAll(List.of("--out", out.toString()));
    if (seed != null) a.addAll(List.of("--seed", seed.toString()));
    if (epochs != null) a.addAll(List.of("--epochs", epochs.toString()));
    if (patience != null) a.addAll(List.of("--patience", patience.toString()));
    if (batchSize != null) a.addAll(List.of("--batch-size", batchSize.toString()));
    if (lr != null) a.addAll(List.of("--lr", lr.toString()));
    if (dim != null) a.addAll(List.of("--dim", dim.toString()));
    if (layers != null) a.addAll(List.of("--layers", layers.toString()));
    if (regWeight != null) a.addAll(List.of("--reg-weight", regWeight.toString()));
    if (dropRatio != null) a.addAll(List.of("--drop-ratio", dropRatio.toString()));
    if (knnK != null) a.addAll(List.of("--knn-k", knnK.toString()));
    if (attentionAxis != null) a.addAll(List.of("--attention-axis", attentionAxis));
    if (cpu) a.add("--cpu");
    for (String s : sets) a.addAll(List.of("--set", s));
    return a;
  }

  /** A progress bar per epoch on a terminal (a progress line every 10 s otherwise) and one log line per epoch. */
  private static final class EpochProgress implements TrainingListener {
    private final boolean bars;
    private Progress bar;

    EpochProgress(boolean bars) {
      this.bars = bars;
    }

    @Override
    public void epochStarted(int epoch, int batches) {
      bar = Progress.start("epoch " + epoch, batches, LOG, bars);
    }

    @Override
    public void batchDone(int epoch, int batch, double loss) {
      bar.setExtra(String.format("loss %.4f", loss));
      bar.step();
    }

    @Override
    public void evaluating(int epoch) {
      bar.setExtra("evaluating");
    }

    @Override
    public void epochDone(EpochRecord r) {
      if (bar != null) {
        bar.close();
        bar = null;
      }
      Map<String, Double> v = r.valid();
      LOG.info(String.format("epoch %3d  loss %.5f  valid R@20 %.4f  N@20 %.4f  %6.1f s (%d batches %.1f s)%s",
          r.epoch(), r.loss(), v.get("recall@20"), v.get("ndcg@20"), r.seconds(), r.batches(), r.stepSeconds(),
          r.improved() ? "  *best" : ""));
    }
  }
}
