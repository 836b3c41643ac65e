package dev.crane.api.store;

import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.schemas.avro.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Priority;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The service's local state in RocksDB: the embedding records of every version it holds (complete
 * or still arriving), the manifests, the users' seen items, pending item features, and the offsets
 * consumed from each input partition. Records and the offsets after them are written in one batch,
 * so that a restart resumes exactly where the stored state ends, without rereading the topics.
 *
 * <p>Column families: {@code meta} (offsets, counters, the version in service, retained versions),
 * {@code manifests} (version → ModelVersion), {@code users} and {@code items} (version ‖ id →
 * {@link EmbeddingCodec}), {@code seen} (user ‖ 0 ‖ item → partition, first offset), {@code features}
 * (item → ItemFeatures).
 */
public final class LocalStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final byte[][] FAMILIES = {RocksDB.DEFAULT_COLUMN_FAMILY, bytes("meta"), bytes("manifests"),
      bytes("users"), bytes("items"), bytes("seen"), bytes("features")};

  private final RocksDB db;
  private final DBOptions options;
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final ColumnFamilyHandle meta;
  private final ColumnFamilyHandle manifests;
  private final ColumnFamilyHandle users;
  private final ColumnFamilyHandle items;
  private final ColumnFamilyHandle seen;
  private final ColumnFamilyHandle features;
  private final WriteOptions writeOptions = new WriteOptions();
  /** Closed after the database. */
  private final List<ColumnFamilyOptions> familyOptions = new ArrayList<>();

  private LocalStore(Path dir, boolean backgroundNice) throws RocksDBException {
    options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    if (backgroundNice) {
      // Flushes and compactions at the lowest CPU priority: a new version's 20 MB (at 63k x 64) is
      // flushed while queries are served on the same cores, and the queries come first. The setting
      // belongs to RocksDB's default Env, so it reaches every RocksDB store in the JVM and cannot be
      // undone: where other stores share the JVM (Kafka Streams in the standalone pipeline), a
      // starved flush would stall their writes, so it is off there.
      options.getEnv().lowerThreadPoolCPUPriority(Priority.HIGH).lowerThreadPoolCPUPriority(Priority.LOW);
    }
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (byte[] f : FAMILIES) {
      boolean vectors = Arrays.equals(f, bytes("users")) || Arrays.equals(f, bytes("items"));
      // Embedding records are floats, which do not compress: compressing them only costs the flush CPU.
      descriptors.add(new ColumnFamilyDescriptor(f, vectors
          ? columnOptions(new ColumnFamilyOptions().setCompressionType(CompressionType.NO_COMPRESSION))
          : columnOptions(new ColumnFamilyOptions())));
    }
    db = RocksDB.open(options, dir.toString(), descriptors, handles);
    meta = handles.get(1);
    manifests = handles.get(2);
    users = handles.get(3);
    items = handles.get(4);
    seen = handles.get(5);
    features = handles.get(6);
  }

  private ColumnFamilyOptions columnOptions(ColumnFamilyOptions o) {
    familyOptions.add(o);
    return o;
  }

  /** Opens (or creates) the store in {@code dir}, its background work at the process's priority. */
  public static LocalStore open(Path dir) {
    return open(dir, false);
  }

  /**
   * Opens (or creates) the store in {@code dir}.
   *
   * @param backgroundNice flushes and compactions at the lowest CPU priority (the store.background.nice
   *     setting; it reaches every RocksDB store in this JVM)
   */
  public static LocalStore open(Path dir, boolean backgroundNice) {
    try {
      Files.createDirectories(dir);
      return new LocalStore(dir, backgroundNice);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the store directory " + dir, e);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot open the local store in " + dir + ": " + e.getMessage()
          + " (is another instance using it?)", e);
    }
  }

  /** A set of writes applied atomically by {@link #write}. */
  public final class Batch implements AutoCloseable {
    private final WriteBatch batch = new WriteBatch();
    private int size;

    public void putUser(long version, String id, byte[] entry) {
      put(users, versionKey(version, id), entry);
    }

    public void putItem(long version, String id, byte[] entry) {
      put(items, versionKey(version, id), entry);
    }

    public void putManifest(ModelVersion m) {
      try {
        ByteBuffer b = m.toByteBuffer();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        put(manifests, longKey(m.getVersion()), a);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public void putSeen(String user, String item, int partition, long offset) {
      put(seen, seenKey(user, item), ByteBuffer.allocate(12).putInt(partition).putLong(offset).array());
    }

    public void putFeatures(ItemFeatures f) {
      try {
        ByteBuffer b = f.toByteBuffer();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        put(features, bytes(f.getItemId()), a);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public void deleteFeatures(String item) {
      try {
        batch.delete(features, bytes(item));
        size++;
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
    }

    public void putOffset(String topic, int partition, long next) {
      put(meta, bytes("offset:" + topic + ":" + partition), longKey(next));
    }

    public void putCount(String kind, long version, long count) {
      put(meta, bytes("count:" + kind + ":" + version), longKey(count));
    }

    public void putCurrent(long version) {
      put(meta, bytes("current"), longKey(version));
    }

    /** Replaces the retained versions and their expiry times. */
    public void putRetained(Map<Long, Long> expiries) {
      StringBuilder s = new StringBuilder();
      expiries.forEach((v, t) -> s.append(v).append('=').append(t).append(','));
      put(meta, bytes("retained"), bytes(s.toString()));
    }

    public int size() {
      return size;
    }

    private void put(ColumnFamilyHandle cf, byte[] k, byte[] v) {
      try {
        batch.put(cf, k, v);
        size++;
      } catch (RocksDBException e) {
        throw new IllegalStateException("local store: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      batch.close();
    }
  }

  public Batch batch() {
    return new Batch();
  }

  public void write(Batch b) {
    try {
      db.write(writeOptions, b.batch);
    } catch (RocksDBException e) {
      throw new IllegalStateException("local store write failed: " + e.getMessage(), e);
    }
  }

  /** The next offset to read per partition of {@code topic}, for the partitions stored. */
  public Map<Integer, Long> offsets(String topic) {
    Map<Integer, Long> out = new HashMap<>();
    String prefix = "offset:" + topic + ":";
    scan(meta, bytes(prefix), (k, v) -> out.put(Integer.parseInt(new String(k, StandardCharsets.UTF_8)
        .substring(prefix.length())), ByteBuffer.wrap(v).getLong()));
    return out;
  }

  public long count(String kind, long version) {
    byte[] v = get(meta, bytes("count:" + kind + ":" + version));
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  public OptionalLong current() {
    byte[] v = get(meta, bytes("current"));
    return v == null ? OptionalLong.empty() : OptionalLong.of(ByteBuffer.wrap(v).getLong());
  }

  public Map<Long, Long> retained() {
    Map<Long, Long> out = new TreeMap<>();
    byte[] v = get(meta, bytes("retained"));
    if (v != null) {
      for (String kv : new String(v, StandardCharsets.UTF_8).split(",")) {
        if (!kv.isEmpty()) {
          String[] p = kv.split("=");
          out.put(Long.parseLong(p[0]), Long.parseLong(p[1]));
        }
      }
    }
    return out;
  }

  /** Every stored manifest, by version. */
  public Map<Long, ModelVersion> manifests() {
    Map<Long, ModelVersion> out = new TreeMap<>();
    scan(manifests, new byte[0], (k, v) -> {
      try {
        out.put(ByteBuffer.wrap(k).getLong(), ModelVersion.fromByteBuffer(ByteBuffer.wrap(v)));
      } catch (IOException e) {
        throw new UncheckedIOException("local store: unreadable manifest", e);
      }
    });
    return out;
  }

  /** Visits the user (or item) records of a version in id order. */
  public void forEachEmbedding(boolean ofUsers, long version, EntryVisitor visitor) {
    scan(ofUsers ? users : items, longKey(version), (k, v) ->
        visitor.visit(new String(k, 8, k.length - 8, StandardCharsets.UTF_8), v));
  }

  /** A stored record. */
  @FunctionalInterface
  public interface EntryVisitor {
    void visit(String id, byte[] entry);
  }

  /** A stored seen entry. */
  @FunctionalInterface
  public interface SeenVisitor {
    void visit(String user, String item, int partition, long offset);
  }

  public void forEachSeen(SeenVisitor visitor) {
    scan(seen, new byte[0], (k, v) -> {
      int sep = indexOf(k, (byte) 0);
      ByteBuffer b = ByteBuffer.wrap(v);
      visitor.visit(new String(k, 0, sep, StandardCharsets.UTF_8),
          new String(k, sep + 1, k.length - sep - 1, StandardCharsets.UTF_8), b.getInt(), b.getLong());
    });
  }

  public void forEachFeatures(java.util.function.Consumer<ItemFeatures> visitor) {
    scan(features, new byte[0], (k, v) -> {
      try {
        visitor.accept(ItemFeatures.fromByteBuffer(ByteBuffer.wrap(v)));
      } catch (IOException e) {
        throw new UncheckedIOException("local store: unreadable item features", e);
      }
    });
  }

  /** Removes a version's records, manifest and counters. */
  public void deleteVersion(long version) {
    try {
      byte[] from = longKey(version);
      byte[] to = longKey(version + 1);
      db.deleteRange(users, from, to);
      db.deleteRange(items, from, to);
      db.delete(manifests, from);
      db.delete(meta, bytes("count:users:" + version));
      db.delete(meta, bytes("count:items:" + version));
    } catch (RocksDBException e) {
      throw new IllegalStateException("local store: cannot delete version " + version + ": " + e.getMessage(), e);
    }
  }

  /** Removes every record and manifest of versions below {@code version} (counters stay: they are small). */
  public void deleteVersionsBelow(long version) {
    try {
      byte[] from = longKey(0);
      byte[] to = longKey(version);
      db.deleteRange(users, from, to);
      db.deleteRange(items, from, to);
      db.deleteRange(manifests, from, to);
    } catch (RocksDBException e) {
      throw new IllegalStateException("local store: cannot delete versions below " + version + ": " + e.getMessage(),
          e);
    }
  }

  private byte[] get(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("local store read failed: " + e.getMessage(), e);
    }
  }

  private void scan(ColumnFamilyHandle cf, byte[] prefix, java.util.function.BiConsumer<byte[], byte[]> action) {
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(cf, ro)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (!startsWith(k, prefix)) {
          break;
        }
        action.accept(k, it.value());
      }
    }
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    if (a.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (a[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    throw new IllegalStateException("local store: malformed seen key");
  }

  static byte[] longKey(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(v).array();
  }

  private static byte[] versionKey(long version, String id) {
    byte[] idb = bytes(id);
    return ByteBuffer.allocate(8 + idb.length).putLong(version).put(idb).array();
  }

  private static byte[] seenKey(String user, String item) {
    byte[] u = bytes(user);
    byte[] i = bytes(item);
    return ByteBuffer.allocate(u.length + 1 + i.length).put(u).put((byte) 0).put(i).array();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.flush(fo, handles);
    } catch (RocksDBException e) {
      // the WAL still holds every write: nothing is lost
    }
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    options.close();
    familyOptions.forEach(ColumnFamilyOptions::close);
    writeOptions.close();
  }
}
