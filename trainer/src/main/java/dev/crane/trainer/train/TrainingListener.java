package dev.crane.trainer.train;

/** Progress callbacks for the CLI's progress bar and log. */
public interface TrainingListener {
  default void epochStarted(int epoch, int batches) {}

  default void batchDone(int epoch, int batch, double loss) {}

  default void evaluating(int epoch) {}

  default void epochDone(EpochRecord record) {}

  TrainingListener NONE = new TrainingListener() {};
}
