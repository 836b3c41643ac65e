package dev.crane.api.feed;

import dev.crane.api.config.CpuPriority;
import dev.crane.api.metrics.ApiMetrics;
import dev.crane.api.serving.LiveVersion;
import dev.crane.api.serving.ServingState;
import dev.crane.api.store.LocalStore;
import dev.crane.schemas.Topics;
import dev.crane.schemas.Vectors;
import dev.crane.schemas.avro.FloatVector;
import dev.crane.schemas.avro.Interaction;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.serde.AvroDeserializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads what happens between versions: interactions (seen items at once, fold-in into the live
 * versions) and item features (cold-start items). Kept apart from the model feed, so that a large
 * version loading never delays an interaction.
 */
public final class EventFeed extends TopicFeed {
  private final ServingState state;
  private final AvroDeserializer<Interaction> interactions;
  private final AvroDeserializer<ItemFeatures> features;

  public EventFeed(FeedSettings settings, LocalStore store, ServingState state, ApiMetrics metrics) {
    // freshness first: no pauses, the queries' priority
    super("events", List.of(Topics.INTERACTIONS, Topics.ITEMS), settings, store, metrics, 0, CpuPriority.NORMAL);
    this.state = state;
    this.interactions = new AvroDeserializer<>(Interaction.class);
    this.features = new AvroDeserializer<>(ItemFeatures.class);
    interactions.configure(settings.serdeConfig(), false);
    features.configure(settings.serdeConfig(), false);
  }

  @Override
  protected void handle(ConsumerRecord<byte[], byte[]> r, LocalStore.Batch batch) {
    if (r.value() == null) {
      return; // tombstone
    }
    if (Topics.INTERACTIONS.equals(r.topic())) {
      Interaction i = interactions.deserialize(r.topic(), r.value());
      String bad = Validation.id("user", i.getUserId());
      bad = bad != null ? bad : Validation.id("item", i.getItemId());
      if (bad != null) {
        skip(r, "invalid-interaction", bad);
        return;
      }
      if (state.onInteraction(i.getUserId(), i.getItemId(), r.partition(), r.offset())) {
        batch.putSeen(i.getUserId(), i.getItemId(), r.partition(), r.offset());
      }
    } else {
      ItemFeatures f = features.deserialize(r.topic(), r.value());
      String bad = Validation.id("item", f.getItemId());
      Map<String, float[]> byModality = new HashMap<>();
      try {
        for (FloatVector v : f.getFeatures()) {
          byModality.put(v.getModality(), Vectors.floats(v));
        }
      } catch (IllegalArgumentException e) {
        bad = bad != null ? bad : e.getMessage();
      }
      if (bad != null) {
        skip(r, "invalid-item-features", bad);
        return;
      }
      state.onItemFeatures(f.getItemId(), byModality);
      LiveVersion now = state.current();
      if (now == null || now.items().row(f.getItemId()) < 0) {
        batch.putFeatures(f); // needed again after a restart, or by the next version
      }
    }
  }
}
