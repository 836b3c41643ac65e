package dev.crane.schemas.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback whose answers a test scripts per route, to drive the registry
 * client into the situations a real registry cannot be made to produce on demand (5xx bursts,
 * slow answers) and to count the requests that reach it. Registry semantics are tested against a
 * real Apicurio in the embedded module.
 */
public final class ScriptedHttpServer implements AutoCloseable {
  public record Request(String method, String path, String query, String contentType, String body) {}

  public record Reply(int status, String body, long delayMs) {
    public static Reply json(int status, String body) {
      return new Reply(status, body, 0);
    }
  }

  /** Answers the n-th (0-based) request to its route. */
  @FunctionalInterface
  public interface Responder {
    Reply reply(Request request, int n);
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scripted-http");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Responder> routes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  private ScriptedHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  public static ScriptedHttpServer start() {
    try {
      return new ScriptedHttpServer();
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind a loopback port", e);
    }
  }

  public ScriptedHttpServer on(String method, String path, Responder responder) {
    routes.put(method + " " + path, responder);
    return this;
  }

  public ScriptedHttpServer on(String method, String path, int status, String body) {
    return on(method, path, (r, n) -> Reply.json(status, body));
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
        ex.getRequestURI().getQuery(), ex.getRequestHeaders().getFirst("Content-Type"), body);
    requests.add(req);
    String key = req.method() + " " + req.path();
    Responder responder = routes.get(key);
    Reply reply = responder == null
        ? Reply.json(404, "{\"error_code\":404,\"message\":\"no scripted route " + key + "\"}")
        : responder.reply(req, counts.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement());
    try {
      if (reply.delayMs() > 0) {
        Thread.sleep(reply.delayMs());
      }
      byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
      ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client gave up (timeout test): nothing to answer
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
