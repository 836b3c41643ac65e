package dev.crane.stream.journal;

import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds a {@link JournalStore} over a persistent, changelogged key-value store of blocks. There is
 * no record cache under it: the journal holds its own entries until the commit.
 */
public final class JournalStoreBuilder implements StoreBuilder<JournalStore> {
  private final StoreBuilder<KeyValueStore<Long, byte[]>> blocks;

  public JournalStoreBuilder(String name) {
    this.blocks = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Long(), Serdes.ByteArray());
  }

  @Override
  public StoreBuilder<JournalStore> withCachingEnabled() {
    throw new UnsupportedOperationException("the journal holds its entries until the commit itself: no record cache");
  }

  @Override
  public StoreBuilder<JournalStore> withCachingDisabled() {
    return this;
  }

  @Override
  public StoreBuilder<JournalStore> withLoggingEnabled(Map<String, String> config) {
    blocks.withLoggingEnabled(config);
    return this;
  }

  @Override
  public StoreBuilder<JournalStore> withLoggingDisabled() {
    blocks.withLoggingDisabled();
    return this;
  }

  @Override
  public JournalStore build() {
    return new JournalStore(blocks.build());
  }

  @Override
  public Map<String, String> logConfig() {
    return blocks.logConfig();
  }

  @Override
  public boolean loggingEnabled() {
    return blocks.loggingEnabled();
  }

  @Override
  public String name() {
    return blocks.name();
  }
}
