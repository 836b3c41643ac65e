package dev.crane.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Where the registry is and how patiently to talk to it.
 *
 * @param urls base URLs (e.g. {@code http://host:8081} or Apicurio's {@code .../apis/ccompat/v7});
 *     retries rotate through them, so several entries give fail-over
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout time allowed for a response to one request
 * @param maxRetries retries after the first attempt, on IO errors, 5xx and 429 only
 * @param initialBackoff pause before the first retry; doubled before each further one
 * @param maxBackoff upper bound of one pause
 */
public record RegistryClientSettings(
    List<URI> urls, Duration connectTimeout, Duration requestTimeout,
    int maxRetries, Duration initialBackoff, Duration maxBackoff) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_RETRIES = 3;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);

  public RegistryClientSettings {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one schema registry URL is needed");
    }
    urls = urls.stream().map(RegistryClientSettings::withoutTrailingSlash).toList();
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
    }
  }

  /** Default timeouts and retries for a comma-separated list of base URLs. */
  public static RegistryClientSettings of(String commaSeparatedUrls) {
    return new RegistryClientSettings(parseUrls(commaSeparatedUrls), DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF);
  }

  public RegistryClientSettings withTimeouts(Duration connect, Duration request) {
    return new RegistryClientSettings(urls, connect, request, maxRetries, initialBackoff, maxBackoff);
  }

  public RegistryClientSettings withRetries(int retries, Duration initial, Duration max) {
    return new RegistryClientSettings(urls, connectTimeout, requestTimeout, retries, initial, max);
  }

  /** Parses and checks a comma-separated URL list, naming the bad entry when one is not http(s). */
  public static List<URI> parseUrls(String commaSeparatedUrls) {
    return parseUrls(Arrays.stream(commaSeparatedUrls.split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).toList());
  }

  public static List<URI> parseUrls(List<String> urls) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("no schema registry URL given");
    }
    return urls.stream().map(u -> {
      URI uri;
      try {
        uri = URI.create(u.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid schema registry URL '" + u + "': " + e.getMessage(), e);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "invalid schema registry URL '" + u + "': expected http(s)://host[:port][/path]");
      }
      return uri;
    }).toList();
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
  }
}
