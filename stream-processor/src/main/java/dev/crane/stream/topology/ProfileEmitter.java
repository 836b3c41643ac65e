package dev.crane.stream.topology;

import dev.crane.schemas.avro.UserProfile;
import dev.crane.stream.codec.ProfileCodec;
import dev.crane.stream.config.Names;
import dev.crane.stream.config.StreamConfig;
import dev.crane.stream.metrics.StreamMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sends changed profiles to the profiles topic: every change at once when no emit interval is
 * configured, otherwise the latest profile of each user changed since the last emission, once per
 * interval (the changed users are kept in the dirty store).
 */
final class ProfileEmitter {
  private static final byte[] DIRTY = new byte[0];

  private final ProcessorContext<Object, Object> context;
  private final StreamMetrics metrics;
  private final ProfileCodec profileCodec;
  private final UserStateCache users;
  private final KeyValueStore<String, byte[]> dirty;
  private final boolean immediate;

  ProfileEmitter(ProcessorContext<Object, Object> context, StreamConfig config, StreamMetrics metrics,
      ProfileCodec profileCodec, UserStateCache users, KeyValueStore<String, byte[]> dirty) {
    this.context = context;
    this.metrics = metrics;
    this.profileCodec = profileCodec;
    this.users = users;
    this.dirty = dirty;
    this.immediate = config.profileEmitInterval().isZero();
  }

  /** The user's profile changed (an accepted interaction at {@code timestamp}). */
  void changed(String user, UserStateCache.Entry e, long timestamp) {
    if (immediate) {
      emit(user, e.profile, timestamp);
    } else if (!e.awaitingEmit) { // already in the dirty store otherwise: no redundant put
      dirty.put(user, DIRTY);
      e.awaitingEmit = true;
    }
  }

  /** The emit punctuation: the profiles of the users changed since the last one. */
  void emitDirty(long now) {
    List<String> dirtyUsers = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = dirty.all()) {
      it.forEachRemaining(kv -> dirtyUsers.add(kv.key));
    }
    for (String user : dirtyUsers) {
      UserStateCache.Entry e = users.get(user);
      if (e != null) {
        emit(user, e.profile, now);
        e.awaitingEmit = false;
      }
      dirty.delete(user);
    }
  }

  private void emit(String user, byte[] profile, long timestamp) {
    UserProfile p = profileCodec.toAvro(user, profile);
    context.forward(new Record<Object, Object>(user, p, timestamp), Names.PROFILES_SINK);
    metrics.profileUpdate();
  }
}
