package dev.crane.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP side of the client: one JSON request/response exchange with bounded retries and
 * exponential backoff on IO errors, 5xx and 429, and error messages that say what was attempted
 * against which URL. Other 4xx answers are final: retrying cannot change them.
 */
final class RegistryHttp {
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One HttpClient per connect timeout for the whole JVM: each JDK client owns a selector thread,
   * and Kafka Streams instantiates a serde (hence a registry client) per task.
   */
  private static final Map<Duration, HttpClient> SHARED = new ConcurrentHashMap<>();

  /** A request relative to the base URL; {@code purpose} completes "could not ..." in messages. */
  record Call(String method, String path, Object body, String purpose) {}

  private final RegistryClientSettings settings;
  private final HttpClient http;

  RegistryHttp(RegistryClientSettings settings) {
    this.settings = settings;
    this.http = SHARED.computeIfAbsent(settings.connectTimeout(), t -> HttpClient.newBuilder()
        .connectTimeout(t)
        // Plain HTTP/1.1: no h2c upgrade dance with registries (or proxies) that do not speak it.
        .version(HttpClient.Version.HTTP_1_1)
        .build());
  }

  JsonNode send(Call call) {
    String body = call.body() == null ? null : toJson(call.body());
    int attempts = settings.maxRetries() + 1;
    List<URI> urls = settings.urls();
    long started = System.nanoTime();
    Throwable lastError = null;
    int lastStatus = 0;
    String lastDetail = null;
    URI uri = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        pause(backoff(attempt), call);
      }
      uri = URI.create(urls.get(attempt % urls.size()) + call.path());
      try {
        HttpResponse<String> response = http.send(request(call.method(), uri, body),
            HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return parse(response.body(), call, uri);
        }
        if (status < 500 && status != 429) {
          throw rejected(call, uri, status, response.body());
        }
        lastStatus = status;
        lastDetail = errorDetail(response.body());
        lastError = null;
      } catch (IOException e) { // includes connect refused and HttpTimeoutException
        lastError = e;
        lastStatus = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException("interrupted while trying to " + call.purpose()
            + " (" + call.method() + " " + uri + ")", 0, -1, e);
      }
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    String what = "could not " + call.purpose() + " (" + call.method() + " " + uri + ") after "
        + attempts + (attempts == 1 ? " attempt" : " attempts") + " in " + tookMs + " ms";
    if (lastError != null) {
      throw new SchemaRegistryUnavailableException("Schema registry unreachable at " + urlList()
          + ": " + what + "; last error: " + describe(lastError)
          + ". Is the registry running, and does schema.registry.url point to it?", 0, lastError);
    }
    throw new SchemaRegistryUnavailableException("Schema registry at " + urlList() + " is failing: "
        + what + "; last response: HTTP " + lastStatus + " " + lastDetail, lastStatus, null);
  }

  private HttpRequest request(String method, URI uri, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(settings.requestTimeout())
        .header("Accept", CONTENT_TYPE + ", application/json");
    if (body != null) {
      b.header("Content-Type", CONTENT_TYPE);
      return b.method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    }
    return b.method(method, HttpRequest.BodyPublishers.noBody()).build();
  }

  /** initial, 2x initial, 4x initial, ... capped at maxBackoff. */
  long backoff(int retry) {
    long initial = settings.initialBackoff().toMillis();
    long factor = 1L << Math.min(retry - 1, 30);
    return Math.min(settings.maxBackoff().toMillis(), initial * factor);
  }

  private static void pause(long millis, Call call) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("interrupted while waiting to retry: " + call.purpose(), 0, -1, e);
    }
  }

  private static JsonNode parse(String body, Call call, URI uri) {
    if (body == null || body.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new SchemaRegistryException("could not " + call.purpose() + " (" + call.method() + " "
          + uri + "): the response is not JSON: " + abbreviate(body), 200, -1, e);
    }
  }

  private static SchemaRegistryException rejected(Call call, URI uri, int status, String body) {
    int code = -1;
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.hasNonNull("error_code")) {
        code = n.get("error_code").asInt();
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      // not JSON: the raw body goes into the message below
    }
    return new SchemaRegistryException("Schema registry rejected the request to " + call.purpose()
        + " (" + call.method() + " " + uri + "): HTTP " + status + " " + errorDetail(body), status, code);
  }

  /** The registry's {@code error_code}/{@code message}, or the raw body when it is not that JSON. */
  static String errorDetail(String body) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.has("message")) {
        String code = n.hasNonNull("error_code") ? "error " + n.get("error_code").asText() + ": " : "";
        return code + n.get("message").asText();
      }
    } catch (JsonProcessingException e) {
      // fall through
    }
    return abbreviate(body);
  }

  private static String toJson(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode request body", e);
    }
  }

  /** The exception and its causes; the JDK's ConnectException often has a null message. */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (sb.length() > 0) {
        sb.append(" <- ");
      }
      sb.append(c.getClass().getName());
      if (c.getMessage() != null) {
        sb.append(": ").append(c.getMessage());
      }
    }
    return sb.toString();
  }

  private String urlList() {
    List<URI> urls = settings.urls();
    return urls.size() == 1 ? urls.get(0).toString() : urls.toString();
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 500 ? t : t.substring(0, 500) + "...";
  }
}
