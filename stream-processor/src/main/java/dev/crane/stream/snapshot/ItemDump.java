package dev.crane.stream.snapshot;

import dev.crane.schemas.Modality;
import dev.crane.schemas.avro.ItemFeatures;
import dev.crane.stream.codec.ItemPositions;
import dev.crane.stream.codec.ItemView;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Function;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Copies the usable item features of the global items store into {@code <modality>_feat.npy}
 * (float32, one row per item, MMRec's file names). Runs on the stream thread that owns the store;
 * items whose features fail validation are left out (their interactions were dead-lettered), and
 * so are the store's position keys ({@link ItemPositions}).
 */
final class ItemDump {
  private ItemDump() {}

  /**
   * @param ids the dumped items, in row order
   * @param itemEnds per partition of topic {@code items}, an offset every record below which had
   *     been applied to the store before the dump started (read before iterating, so a lower bound:
   *     records the global thread applies during the dump may or may not be in it)
   */
  record Dump(List<String> ids, SortedMap<Integer, Long> itemEnds) {}

  static Dump write(Path dir, ReadOnlyKeyValueStore<String, byte[]> store,
      Function<byte[], ItemFeatures> decode, List<Modality> modalities) throws IOException {
    SortedMap<Integer, Long> itemEnds = ItemPositions.endOffsets(store);
    List<String> ids = new ArrayList<>();
    List<OutputStream> outs = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      for (Modality m : modalities) {
        OutputStream o = new BufferedOutputStream(Files.newOutputStream(dir.resolve(m.name() + "_feat.npy")), 1 << 16);
        Npy.writeHeader(o, "<f4", 0, m.dim()); // patched below, once the row count is known
        outs.add(o);
      }
      while (it.hasNext()) {
        var kv = it.next();
        if (ItemPositions.isReserved(kv.key)) {
          continue;
        }
        ItemView view;
        try {
          view = ItemView.of(decode.apply(kv.value), modalities);
        } catch (RuntimeException e) {
          continue; // undecodable item: its interactions were dead-lettered as item-malformed
        }
        if (!view.usable()) {
          continue;
        }
        for (int m = 0; m < modalities.size(); m++) {
          outs.get(m).write(view.array(m), view.offset(m), 4 * modalities.get(m).dim());
        }
        ids.add(kv.key);
      }
    } finally {
      for (OutputStream o : outs) {
        o.close();
      }
    }
    for (Modality m : modalities) {
      try (RandomAccessFile f = new RandomAccessFile(dir.resolve(m.name() + "_feat.npy").toFile(), "rw")) {
        f.write(Npy.header("<f4", ids.size(), m.dim()));
      }
    }
    return new Dump(ids, itemEnds);
  }
}
