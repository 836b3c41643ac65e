package dev.crane.embedded.registry;

/** Child JVM for {@link LocalSchemaRegistryTest}: starts a registry and exits without closing it. */
public final class StartAndExit {
  private StartAndExit() {}

  public static void main(String[] args) {
    LocalSchemaRegistry registry = LocalSchemaRegistry.start(
        LocalSchemaRegistry.Options.defaults().withLogDir(java.nio.file.Paths.get(args[0])));
    System.out.println("registry-pid=" + registry.pid());
    System.out.flush();
    System.exit(0); // no close(): the shutdown hook must stop the server
  }
}
