package dev.crane.stream.testing;

import dev.crane.embedded.registry.LocalSchemaRegistry;

/**
 * One real schema registry (Apicurio, a child process) for all topology tests of this JVM: it
 * costs ~5 s to start, and its own shutdown hook stops it when the test JVM exits.
 */
public final class SharedRegistry {
  private static LocalSchemaRegistry registry;

  private SharedRegistry() {}

  public static synchronized String url() {
    if (registry == null) {
      registry = LocalSchemaRegistry.start();
    }
    return registry.url();
  }
}
