package dev.crane.stream.topology;

import dev.crane.schemas.avro.Interaction;
import dev.crane.stream.codec.ItemView;
import dev.crane.stream.codec.PendingCodec;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.deadletter.DeadLetters;
import dev.crane.stream.deadletter.DeadLetters.Source;
import dev.crane.stream.deadletter.Reason;
import dev.crane.stream.metrics.StreamMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The bad-input rules in front of the profile update: decodes an interaction, validates it, finds
 * its item's features (rejected when malformed, of the wrong dimensions or not finite) and holds it
 * while the item is unknown, releasing or dead-lettering it later. What cannot be used goes to the
 * dead letters with its reason; what passes comes out {@link Admitted}. (Duplicates are the user's
 * business: {@link ProfileUpdater#seen}.)
 */
final class InteractionGate {
  /**
   * Longest id accepted. Ids are store keys, journal lines and snapshot columns; a journal block
   * must stay below Kafka's record limit with any one entry in it.
   */
  static final int MAX_ID_CHARS = 1_000;

  /** An interaction that passed, its item's usable features, and its input record's timestamp. */
  record Admitted(Interaction interaction, ItemView item, long timestamp) {}

  private final ProcessorContext<Object, Object> context;
  private final StreamConfig config;
  private final StreamMetrics metrics;
  private final ItemCache itemCache;
  private final ItemViews itemViews;
  private final Decoder<Interaction> interactions;
  private final KeyValueStore<String, byte[]> itemStore;
  private final KeyValueStore<String, byte[]> pending;

  InteractionGate(ProcessorContext<Object, Object> context, StreamConfig config, StreamMetrics metrics,
      ItemCache itemCache, ItemViews itemViews, KeyValueStore<String, byte[]> itemStore,
      KeyValueStore<String, byte[]> pending) {
    this.context = context;
    this.config = config;
    this.metrics = metrics;
    this.itemCache = itemCache;
    this.itemViews = itemViews;
    this.interactions = new Decoder<>(Interaction.class, config.serdeConfig(), config.registryRetry());
    this.itemStore = itemStore;
    this.pending = pending;
  }

  /** The interaction to apply (unless its user already accepted it), or null when it was dead-lettered or held. */
  Admitted admit(byte[] key, byte[] value, Source source) {
    Interaction in = decode(key, value, source);
    if (in == null) {
      return null;
    }
    String invalid = invalid(in, key);
    if (invalid != null) {
      deadLetter(key, value, source, Reason.INVALID, invalid);
      return null;
    }
    String itemId = in.getItemId().toString();
    ItemView cached = itemCache.get(itemId);
    if (cached != null) {
      return usableOrDeadLetter(in, cached, key, value, source);
    }
    long version = itemCache.version(itemId);
    long epoch = itemCache.epoch();
    byte[] itemBytes = itemStore.get(itemId);
    if (itemBytes == null) {
      hold(itemId, key, value, source);
      return null;
    }
    ItemView view = view(in, itemBytes);
    itemCache.put(itemId, view, version, epoch);
    return usableOrDeadLetter(in, view, key, value, source);
  }

  private Interaction decode(byte[] key, byte[] value, Source source) {
    if (value == null) {
      deadLetter(key, null, source, Reason.MALFORMED, "null value (tombstone) on the interactions topic");
      return null;
    }
    try {
      return interactions.decode(source.topic(), value);
    } catch (SerializationException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      Reason r = msg.contains("unknown schema id") ? Reason.UNKNOWN_SCHEMA : Reason.MALFORMED;
      deadLetter(key, value, source, r, msg);
      return null;
    }
  }

  /** Why the decoded record cannot be used, or null. */
  static String invalid(Interaction in, byte[] key) {
    String user = in.getUserId().toString();
    String item = in.getItemId().toString();
    String event = in.getEventId().toString();
    if (user.isEmpty() || item.isEmpty() || event.isEmpty()) {
      return "empty eventId, userId or itemId";
    }
    if (user.length() > MAX_ID_CHARS || item.length() > MAX_ID_CHARS || event.length() > MAX_ID_CHARS) {
      return "eventId, userId or itemId longer than " + MAX_ID_CHARS + " characters";
    }
    if (hasControl(user) || hasControl(item)) {
      return "userId or itemId contains a tab, newline or NUL";
    }
    if (key == null || !Arrays.equals(key, user.getBytes(StandardCharsets.UTF_8))) {
      return "record key " + (key == null ? "null" : "'" + new String(key, StandardCharsets.UTF_8) + "'")
          + " differs from userId '" + user + "' (the topic must be keyed by user so a profile lives in one partition)";
    }
    if (in.getWeight() != null && !Float.isFinite(in.getWeight())) {
      return "non-finite weight " + in.getWeight();
    }
    return null;
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\t' || c == '\n' || c == '\r' || c == '\0') {
        return true;
      }
    }
    return false;
  }

  private void hold(String itemId, byte[] key, byte[] value, Source source) {
    if (config.unknownItemHold().isZero()) {
      deadLetter(key, value, source, Reason.UNKNOWN_ITEM, "item " + itemId + " has no features (no hold configured)");
      return;
    }
    pending.put(PendingCodec.storeKey(itemId, source.partition(), source.offset()),
        PendingCodec.encode(new PendingCodec.Held(source, context.currentSystemTimeMs(), key, value)));
    metrics.held();
  }

  private ItemView view(Interaction in, byte[] itemBytes) {
    try {
      return itemViews.decode(itemBytes);
    } catch (SerializationException e) {
      return ItemView.rejected(Reason.ITEM_MALFORMED, "item " + in.getItemId() + ": " + e.getMessage());
    }
  }

  private Admitted usableOrDeadLetter(Interaction in, ItemView view, byte[] key, byte[] value, Source source) {
    if (!view.usable()) {
      deadLetter(key, value, source, view.rejection(), view.detail());
      return null;
    }
    return new Admitted(in, view, source.timestamp());
  }

  /**
   * The hold punctuation: passes held records whose item has arrived to {@code apply}; dead-letters
   * those held too long.
   */
  void releaseHeld(long now, Consumer<Admitted> apply) {
    List<KeyValue<String, byte[]>> held = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = pending.all()) {
      it.forEachRemaining(held::add);
    }
    if (held.isEmpty()) {
      return;
    }
    Map<String, byte[]> itemRecords = new HashMap<>();
    for (KeyValue<String, byte[]> kv : held) {
      String itemId = PendingCodec.itemOf(kv.key);
      byte[] itemBytes = itemRecords.computeIfAbsent(itemId, itemStore::get);
      PendingCodec.Held h = PendingCodec.decode(kv.value);
      if (itemBytes != null) {
        pending.delete(kv.key);
        try {
          // Decoded again by the same rules: a registry that lost the schema since the hold (a
          // restarted in-memory registry) dead-letters the record instead of stopping the task.
          Interaction in = decode(h.key(), h.value(), h.source());
          Admitted admitted = in == null ? null
              : usableOrDeadLetter(in, view(in, itemBytes), h.key(), h.value(), h.source());
          if (admitted != null) {
            apply.accept(admitted);
          }
        } catch (RegistryUnavailableException | KafkaException e) {
          throw e;
        } catch (RuntimeException e) {
          deadLetter(h.key(), h.value(), h.source(), Reason.PROCESSING_ERROR, e.toString());
        }
      } else if (now - h.arrivedAtMs() >= config.unknownItemHold().toMillis()) {
        pending.delete(kv.key);
        deadLetter(h.key(), h.value(), h.source(), Reason.UNKNOWN_ITEM, "item " + itemId
            + " had no features after a hold of " + Duration.ofMillis(now - h.arrivedAtMs()).toSeconds() + " s");
      }
    }
  }

  /** How many records are held (a snapshot part reports it). */
  long heldCount() {
    try (KeyValueIterator<String, byte[]> it = pending.all()) {
      long c = 0;
      while (it.hasNext()) {
        it.next();
        c++;
      }
      return c;
    }
  }

  void deadLetter(byte[] key, byte[] value, Source source, Reason reason, String detail) {
    context.forward(DeadLetters.record(key, value, source, reason, detail, source.timestamp()), Names.DLQ_SINK);
    metrics.deadLetter(reason);
  }
}
