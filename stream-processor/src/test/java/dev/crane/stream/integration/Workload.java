package dev.crane.stream.integration;

import dev.crane.ingest.dataset.FeatureMatrix;
import dev.crane.ingest.dataset.InteractionTable;
import dev.crane.ingest.dataset.MmrecDataset;
import dev.crane.ingest.dataset.SyntheticConfig;
import dev.crane.ingest.dataset.SyntheticGenerator;
import dev.crane.schemas.Modality;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.Split;
import dev.crane.stream.codec.SplitCounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synthetic dataset as topic records, and the from-scratch answer: every user's Eq. 5 sums
 * (float features added in double in publish order, which is each user's partition order) and
 * degrees, and every item's degrees.
 */
public final class Workload {
  public final MmrecDataset dataset;
  public final List<ItemFeatures> items = new ArrayList<>();
  public final List<Interaction> interactions = new ArrayList<>();
  public final Map<String, ExpectedUser> users = new LinkedHashMap<>();
  public final Map<String, long[]> itemDegrees = new HashMap<>();

  public static final class ExpectedUser {
    public final double[][] sums;
    public final long[] counts = new long[SplitCounts.SLOTS];

    ExpectedUser(MmrecDataset d) {
      sums = new double[d.features().size()][];
      for (int m = 0; m < sums.length; m++) {
        sums[m] = new double[d.features().get(m).dim()];
      }
    }

    public long degree() {
      return counts[0] + counts[SplitCounts.NONE];
    }
  }

  public Workload(int users, int itemCount, String modalities, long seed) {
    dataset = SyntheticGenerator.generate(SyntheticConfig.defaults(users, itemCount,
        Modality.parseList(modalities), seed)).dataset();
    for (int i = 0; i < dataset.numItems(); i++) {
      List<FloatVector> vs = new ArrayList<>();
      for (FeatureMatrix f : dataset.features()) {
        vs.add(Vectors.floatVector(f.modality(), f.data(), i * f.dim(), f.dim()));
      }
      items.add(new ItemFeatures("i" + i, vs, Instant.EPOCH));
    }
    InteractionTable t = dataset.interactions();
    for (int row : t.publishOrder()) {
      Split split = Split.valueOf(t.splits()[row].name());
      Interaction in = Interaction.newBuilder().setEventId("syn:" + row).setUserId("u" + t.users()[row])
          .setItemId("i" + t.items()[row]).setEventTime(Instant.ofEpochMilli(t.timestamps()[row] * 1000))
          .setWeight(null).setType(null).setSplit(split).build();
      interactions.add(in);
      count(in, t.items()[row]);
    }
  }

  private void count(Interaction in, int item) {
    ExpectedUser u = users.computeIfAbsent(in.getUserId().toString(), k -> new ExpectedUser(dataset));
    int slot = SplitCounts.slot(in.getSplit());
    u.counts[slot]++;
    itemDegrees.computeIfAbsent(in.getItemId().toString(), k -> new long[SplitCounts.SLOTS])[slot]++;
    if (SplitCounts.countsIntoProfile(in.getSplit())) {
      for (int m = 0; m < u.sums.length; m++) {
        FeatureMatrix f = dataset.features().get(m);
        for (int j = 0; j < f.dim(); j++) {
          u.sums[m][j] += f.data()[item * f.dim() + j];
        }
      }
    }
  }
}
