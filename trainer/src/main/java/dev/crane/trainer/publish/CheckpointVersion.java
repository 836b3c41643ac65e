package dev.crane.trainer.publish;

import ai.djl.ndarray.NDManager;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.schemas.avro.TopicOffset;
import dev.crane.trainer.data.IdMapping;
import dev.crane.trainer.data.TrainingData;
import dev.crane.trainer.model.ModelFactory;
import dev.crane.trainer.model.core.Recommender;
import dev.crane.trainer.train.Checkpoint;
import dev.crane.trainer.train.WarmStart;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A saved model made publishable again: rebuilt on its data (the ids of the data beyond the
 * checkpoint's get rows as a warm start gives them), its parameters loaded, its item graph
 * refreshed, and turned into {@link VersionData}. Used after a restart that interrupted a publish,
 * and by {@code trainer publish --checkpoint}.
 */
public final class CheckpointVersion {
  private CheckpointVersion() {}

  public static VersionData of(Checkpoint ckpt, MmrecDataset dataset, long version, Long snapshotVersion,
      List<TopicOffset> inputOffsets, Map<String, Double> metrics, NDManager manager) {
    TrainingData data = TrainingData.from(dataset, new IdMapping(ckpt.meta().userIds), new IdMapping(ckpt.meta().itemIds));
    SplittableRandom rng = new SplittableRandom(ckpt.meta().config.seed());
    Recommender model = ModelFactory.create(ckpt.meta().config, data, manager, rng);
    WarmStart.apply(ckpt, model, data);
    model.beforeEvaluation(); // the item graph's neighbours for these parameters
    return VersionData.of(version, model, data, metrics, snapshotVersion, inputOffsets);
  }

  /** The positions a service records in its checkpoint, as the manifest's records. */
  public static List<TopicOffset> topicOffsets(List<Checkpoint.Position> positions) {
    return positions.stream().map(p -> new TopicOffset(p.topic(), p.partition(), p.endOffset())).toList();
  }
}
