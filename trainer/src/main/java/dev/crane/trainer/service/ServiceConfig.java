package dev.crane.trainer.service;

import dev.crane.ops.config.LayeredSettings;
import dev.crane.trainer.config.TrainConfig;
import dev.crane.trainer.config.Model;
import dev.crane.trainer.config.TrainSettings;
import dev.crane.trainer.model.crane.PaperHyperparameters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * Every setting of the trainer service, typed, documented and validated by a Kafka {@link ConfigDef}.
 * Layers (later wins): defaults, {@code --config FILE}, environment {@code CRANE_TRAINER_<KEY>},
 * {@code --set key=value}. Unknown keys are errors, except {@code train.<field>}, which sets that
 * setting of the training configuration (as {@code trainer train --set field=value} does).
 */
public final class ServiceConfig extends AbstractConfig {
  public static final String ENV_PREFIX = "CRANE_TRAINER_";
  public static final String TRAIN_PREFIX = "train.";

  static final ConfigDef DEF = new ConfigDef()
      .define("bootstrap.servers", Type.STRING, "localhost:9092", Importance.HIGH, "Kafka bootstrap servers.")
      .define("schema.registry.url", Type.STRING, "http://localhost:8081", Importance.HIGH,
          "Confluent-compatible schema registry URL.")
      .define("state.dir", Type.STRING, System.getProperty("java.io.tmpdir") + "/crane-trainer", Importance.HIGH,
          "The accepted model's checkpoint and a trained version waiting to be published.")
      .define("model", Type.STRING, "crane", ValidString.in(Model.names().toArray(String[]::new)),
          Importance.HIGH, "The model trained and published.")
      .define("hyperparameters", Type.STRING, "baby",
          ValidString.in("baby", "sports", "clothing", "electronics", "tiktok"), Importance.MEDIUM,
          "crane only: the paper Table 3 column to train with (tiktok: the project's, see docs/benchmarks.md).")
      .define("group.id", Type.STRING, "crane-trainer", Importance.MEDIUM,
          "Consumer group whose offset on 'snapshots' says which snapshots are done.")
      .define("transactional.id", Type.STRING, "crane-trainer", Importance.MEDIUM,
          "Transactional id of the publisher: one service per id; a restarted service fences its previous self.")
      .define("finetune.epochs", Type.INT, 20, Range.atLeast(1), Importance.MEDIUM,
          "Most epochs of a fine-tune from the accepted model.")
      .define("finetune.patience", Type.INT, 10, Range.atLeast(0), Importance.MEDIUM,
          "A fine-tune stops after this many epochs without a better holdout Recall@20 (its fresh optimizer"
              + " first shakes the converged model; trainer/README.md).")
      .define("finetune.optimizer", Type.STRING, "carry", ValidString.in("carry", "fresh"), Importance.MEDIUM,
          "carry: a fine-tune continues from the accepted model's Adam moments (new users' and items' at zero); "
              + "fresh: from a new optimizer, whose first steps move every weight by about the learning rate.")
      .define("finetune.max.seconds", Type.DOUBLE, 0.0, Range.atLeast(0), Importance.MEDIUM,
          "Time budget of a fine-tune, set-up and closing scoring included: it stops before an epoch that would pass it (0 = no limit).")
      .define("full.epochs", Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
          "Most epochs of a training from scratch (0 = the model's default).")
      .define("full.max.seconds", Type.DOUBLE, 0.0, Range.atLeast(0), Importance.MEDIUM,
          "Time budget of a training from scratch, as finetune.max.seconds (0 = no limit).")
      .define("gate.tolerance", Type.DOUBLE, 0.005, Range.atLeast(0), Importance.HIGH,
          "A candidate is published only if its holdout Recall@20 >= the serving model's on the same holdout minus this.")
      .define("gate.enabled", Type.BOOLEAN, true, Importance.HIGH, "false publishes every candidate (--force).")
      .define("trigger.min.interval.ms", Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
          "Skip a snapshot that comes sooner than this after the last training started (0 = train every one).")
      .define("trigger.min.new.interactions", Type.LONG, 1L, Range.atLeast(0), Importance.MEDIUM,
          "Skip a snapshot with fewer interactions than this beyond those the accepted model was trained on.")
      .define("publish.records.per.second", Type.DOUBLE, 0.0, Range.atLeast(0), Importance.LOW,
          "Pace of the embedding records (0 = as fast as the broker takes them).")
      .define("retry.backoff.ms", Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW,
          "Pause before retrying a publish that failed (broker or registry down).")
      .define("metrics.port", Type.INT, 9405, Range.atLeast(-1), Importance.LOW,
          "/metrics (Prometheus) and /health; -1 = off, 0 = any free port.")
      .define("connect.timeout.ms", Type.LONG, 15_000L, Range.atLeast(1), Importance.LOW,
          "Start-up gives up when the broker or the registry does not answer within this time.")
      .define("seed", Type.LONG, 999L, Importance.LOW, "Seed of initialisation, batches, negatives and pruning.");

  private final Map<String, String> trainSettings;

  private ServiceConfig(Map<String, String> raw, Map<String, String> trainSettings) {
    super(DEF, raw, false);
    this.trainSettings = Map.copyOf(trainSettings);
  }

  /** @throws IllegalArgumentException naming the key when a setting is unknown or invalid */
  public static ServiceConfig load(Path file, Map<String, String> env, List<String> sets) {
    return of(LayeredSettings.load(file, env, ENV_PREFIX, DEF.names(), sets));
  }

  public static ServiceConfig of(Map<String, String> raw) {
    Map<String, String> own = new LinkedHashMap<>();
    Map<String, String> train = new LinkedHashMap<>();
    for (var e : raw.entrySet()) {
      if (e.getKey().startsWith(TRAIN_PREFIX)) {
        String name = e.getKey().substring(TRAIN_PREFIX.length());
        // regardless of case: an environment variable (CRANE_TRAINER_TRAIN_LEARNINGRATE) cannot carry camel
        // case; an unknown name is kept for the training configuration to refuse with the close names
        train.put(TrainSettings.nameIgnoringCase(name).orElse(name), e.getValue());
      } else if (DEF.names().contains(e.getKey())) {
        own.put(e.getKey(), e.getValue());
      } else {
        throw new IllegalArgumentException("trainer service config: unknown key '" + e.getKey() + "'; known keys: "
            + DEF.names() + " and train.<field> (see trainer train --help)");
      }
    }
    ServiceConfig c;
    try {
      c = new ServiceConfig(own, train);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("trainer service config: " + e.getMessage(), e);
    }
    try {
      c.trainConfig(false); // an unknown or malformed train.* setting fails now, not at the first snapshot
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trainer service config, a train.<field> key: " + e.getMessage()
          + " (the names are those of trainer train --set)", e);
    }
    return c;
  }

  /** The keys, their defaults and documentation, for --help. */
  public static List<String> describe() {
    List<String> out = new ArrayList<>();
    for (ConfigDef.ConfigKey k : DEF.configKeys().values()) {
      // picocli formats footers: a % in a description must not be read as a conversion
      out.add(("  " + k.name + " (default " + k.defaultValue + "): " + k.documentation).replace("%", "%%"));
    }
    return out;
  }

  /**
   * The training configuration of a fine-tune ({@code full} false) or a training from scratch: the
   * model's defaults, paper Table 3 for crane, the service's epochs and time budget, then train.*.
   */
  public TrainConfig trainConfig(boolean full) {
    TrainConfig.Builder c = TrainConfig.builder(model());
    if (model() == Model.CRANE) {
      PaperHyperparameters.apply(c, getString("hyperparameters"));
    }
    c.seed(getLong("seed"));
    if (full) {
      if (getInt("full.epochs") > 0) {
        c.epochs(getInt("full.epochs"));
      }
      c.maxSeconds(getDouble("full.max.seconds").floatValue());
    } else {
      c.epochs(getInt("finetune.epochs"));
      c.patience(getInt("finetune.patience"));
      c.maxSeconds(getDouble("finetune.max.seconds").floatValue());
      c.warmOptimizer(getString("finetune.optimizer").equals("carry"));
    }
    trainSettings.forEach(c::set);
    return c.build();
  }

  public String bootstrapServers() {
    return getString("bootstrap.servers");
  }

  public String schemaRegistryUrl() {
    return getString("schema.registry.url");
  }

  public Path stateDir() {
    return Path.of(getString("state.dir"));
  }

  public Model model() {
    return Model.parse(getString("model"));
  }

  public String groupId() {
    return getString("group.id");
  }

  public String transactionalId() {
    return getString("transactional.id");
  }

  public double gateTolerance() {
    return getDouble("gate.tolerance");
  }

  public boolean gateEnabled() {
    return getBoolean("gate.enabled");
  }

  public Duration minInterval() {
    return Duration.ofMillis(getLong("trigger.min.interval.ms"));
  }

  public long minNewInteractions() {
    return getLong("trigger.min.new.interactions");
  }

  public double publishRecordsPerSecond() {
    return getDouble("publish.records.per.second");
  }

  public Duration retryBackoff() {
    return Duration.ofMillis(getLong("retry.backoff.ms"));
  }

  public int metricsPort() {
    return getInt("metrics.port");
  }

  public Duration connectTimeout() {
    return Duration.ofMillis(getLong("connect.timeout.ms"));
  }
}
