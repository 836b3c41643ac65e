package dev.crane.trainer.cli;

import dev.crane.ops.connect.Reachability;
import dev.crane.trainer.service.ServiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The trainer service's settings on the command line: a properties file and --set overrides. */
final class ServiceOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with service settings.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A setting (repeatable), winning over the file and CRANE_TRAINER_* variables; train.<field> sets "
          + "a training setting (e.g. train.learningRate=0.001).")
  List<String> sets = new ArrayList<>();

  /** The settings, with {@code extra} key=value pairs winning over everything. */
  ServiceConfig load(String... extra) {
    List<String> all = new ArrayList<>(sets);
    all.addAll(List.of(extra));
    return ServiceConfig.load(config, System.getenv(), all);
  }

  static void checkReachable(ServiceConfig c) {
    Reachability.kafka(c.bootstrapServers(), c.connectTimeout(),
        "bootstrap.servers (--set bootstrap.servers=HOST:PORT or CRANE_TRAINER_BOOTSTRAP_SERVERS)");
    Reachability.registry(c.schemaRegistryUrl(), c.connectTimeout(),
        "schema.registry.url (--set schema.registry.url=URL or CRANE_TRAINER_SCHEMA_REGISTRY_URL)");
  }
}
