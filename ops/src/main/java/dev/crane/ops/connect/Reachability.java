package dev.crane.ops.connect;

import dev.crane.ops.kafka.KafkaClientDefaults;
import dev.crane.schemas.registry.RegistryClientSettings;
import dev.crane.schemas.registry.SchemaRegistryClient;
import dev.crane.schemas.registry.SchemaRegistryException;
import dev.crane.schemas.registry.SchemaRegistryUnavailableException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;

/**
 * Start-up checks that a broker and a registry answer, within a bound. Without them a role waits
 * for Kafka's own timeouts (60 s for a producer's first send) and then fails with a stack trace
 * that names neither the address nor the setting to change.
 */
public final class Reachability {
  /** The default bound of each check, and the flag/setting that changes it. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private Reachability() {}

  /**
   * @param setting how the user changes the address, e.g. "--bootstrap-servers or CRANE_BOOTSTRAP_SERVERS"
   * @throws UnreachableException naming the address and the setting when no broker answers in time
   */
  public static void kafka(String bootstrapServers, Duration timeout, String setting) {
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Map<String, Object> config = KafkaClientDefaults.common();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    String where = "the Kafka broker at " + bootstrapServers;
    Admin admin;
    try {
      admin = Admin.create(config);
    } catch (KafkaException e) { // e.g. no resolvable address in the list
      throw new UnreachableException("cannot reach " + where + " (" + reason(root(e)) + "); set " + setting, e);
    }
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes().get(ms + 1000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      boolean timedOut = cause instanceof TimeoutException
          || cause instanceof org.apache.kafka.common.errors.TimeoutException;
      throw new UnreachableException("cannot reach " + where + " within " + seconds(timeout)
          + (timedOut ? "" : " (" + reason(cause) + ")") + "; set " + setting, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnreachableException("interrupted while checking " + where, e);
    } finally {
      admin.close(Duration.ZERO); // the one call is over: nothing to wait for
    }
  }

  /**
   * Lists the registry's subjects once, without retries.
   *
   * @throws UnreachableException when it does not answer in time or answers with an error
   * @throws IllegalArgumentException when the URL itself is malformed
   */
  public static void registry(String url, Duration timeout, String setting) {
    RegistryClientSettings settings = RegistryClientSettings.of(url).withTimeouts(timeout, timeout)
        .withRetries(0, Duration.ZERO, Duration.ZERO);
    try {
      new SchemaRegistryClient(settings).subjects();
    } catch (SchemaRegistryUnavailableException e) {
      String why = has(e, java.net.ConnectException.class) ? "connection refused"
          : has(e, java.net.http.HttpTimeoutException.class) ? "no answer" : reason(root(e));
      throw new UnreachableException("cannot reach the schema registry at " + url + " within " + seconds(timeout)
          + " (" + why + "); set " + setting, e);
    } catch (SchemaRegistryException e) {
      String hint = e.httpStatus() == 404
          ? "; is it the Confluent-compatible API? (Apicurio serves it under /apis/ccompat/v7)" : "";
      throw new UnreachableException("the schema registry at " + url + " answered HTTP " + e.httpStatus()
          + " to GET /subjects" + hint + "; set " + setting, e);
    }
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable root(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String reason(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replaceAll("\\s*\\R\\s*", " ");
  }
}
