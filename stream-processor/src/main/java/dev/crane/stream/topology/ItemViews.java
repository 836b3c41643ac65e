package dev.crane.stream.topology;

import dev.crane.schemas.Modality;
import dev.crane.schemas.Topics;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.stream.codec.ItemView;
import dev.crane.stream.config.StreamConfig;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decodes an item's raw record from the global store into the view an interaction adds. One per
 * task, shared by the live path and the journal replay: a decoder has its own registry client and
 * schema cache.
 */
final class ItemViews {
  private final Decoder<ItemFeatures> decoder;
  private final List<Modality> modalities;

  ItemViews(StreamConfig config) {
    this.decoder = new Decoder<>(ItemFeatures.class, config.serdeConfig(), config.registryRetry());
    this.modalities = config.modalities();
  }

  /** @throws SerializationException when the bytes are bad (not when the registry is down) */
  ItemView decode(byte[] itemBytes) {
    return ItemView.of(decoder.decode(Topics.ITEMS, itemBytes), modalities);
  }
}
