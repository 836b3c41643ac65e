package dev.crane.stream.integration;

import dev.crane.embedded.EmbeddedRuntime;
import dev.crane.stream.StreamProcessorApp;
import dev.crane.stream.codec.CountsCodec;
import dev.crane.stream.codec.SplitCounts;
import dev.crane.stream.config.ConfigLoader;
import dev.crane.stream.config.Names;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Starting stream-processor instances in this JVM or in a child JVM, with the tests' settings. */
final class Instances {
  private Instances() {}

  static Map<String, String> settings(EmbeddedRuntime rt, String appId, Path stateDir, Path snapshotDir,
      String modalities, Map<String, String> extra) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("application.id", appId);
    s.put("bootstrap.servers", rt.bootstrapServers());
    s.put("schema.registry.url", rt.schemaRegistryUrl());
    s.put("state.dir", stateDir.toString());
    s.put("snapshot.dir", snapshotDir.toString());
    s.put("modalities", modalities);
    s.put("commit.interval.ms", "100");
    s.put("profiles.emit.interval.ms", "200");
    s.put("item-degree.flush.interval.ms", "300");
    s.put("unknown-item.hold.ms", "2000");
    s.put("unknown-item.check.interval.ms", "250");
    s.put("transaction.timeout.ms", "10000");
    s.put("snapshot.interval.ms", "0");
    s.put("metrics.port", "-1");
    // Fast rebalances and failure detection for tests.
    s.put("kafka.consumer.session.timeout.ms", "6000");
    s.put("kafka.consumer.heartbeat.interval.ms", "500");
    s.putAll(extra);
    return s;
  }

  static StreamProcessorApp inProcess(Map<String, String> settings) {
    return StreamProcessorApp.start(ConfigLoader.fromMap(settings), new SimpleMeterRegistry(), false);
  }

  /** An instance that serves Prometheus metrics on an ephemeral port. */
  static StreamProcessorApp withMetricsEndpoint(Map<String, String> settings) {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put("metrics.port", "0");
    return StreamProcessorApp.start(ConfigLoader.fromMap(s),
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
            io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT), true);
  }

  /** The same application in a child JVM, so that it can be killed without any clean-up. */
  static Process child(Map<String, String> settings, Path log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        dev.crane.stream.cli.StreamProcessorCli.class.getName()));
    settings.forEach((k, v) -> {
      cmd.add("--set");
      cmd.add(k + "=" + v);
    });
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** Item degrees from the item-stats stores of the given running instances. */
  static Map<String, long[]> itemDegrees(StreamProcessorApp... apps) {
    Map<String, long[]> out = new HashMap<>();
    for (StreamProcessorApp app : apps) {
      KafkaStreams s = app.streams();
      ReadOnlyKeyValueStore<String, byte[]> store = s.store(StoreQueryParameters.fromNameAndType(
          Names.ITEM_STATS_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
      try (var it = store.all()) {
        it.forEachRemaining(kv -> {
          long[] c = new long[SplitCounts.SLOTS];
          for (int i = 0; i < c.length; i++) {
            c[i] = CountsCodec.get(kv.value, i);
          }
          out.put(kv.key, c);
        });
      }
    }
    return out;
  }

  /** Item degrees of the running instances equal {@code expected}; false while stores are migrating. */
  static boolean itemDegreesEqual(Map<String, long[]> expected, StreamProcessorApp... apps) {
    try {
      return sameDegrees(itemDegrees(apps), expected);
    } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
      return false; // a rebalance in progress: ask again
    }
  }

  static boolean sameDegrees(Map<String, long[]> a, Map<String, long[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
  }
}
