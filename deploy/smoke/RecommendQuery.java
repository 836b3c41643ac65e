import dev.crane.schemas.grpc.GetModelInfoRequest;
import dev.crane.schemas.grpc.ModelInfo;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.grpc.ScoredItem;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;

/**
 * The smoke test's gRPC client, run as a single source file on the recommender API's classpath:
 *   java -cp 'recommender-api/target/lib/*' deploy/smoke/RecommendQuery.java HOST:PORT USER K TIMEOUT_S
 * Waits until the API serves a model version (GetModelInfo stops answering UNAVAILABLE), then asks
 * for USER's top-K. Exit 0 only when the reply names a model version and holds items.
 */
public class RecommendQuery {
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: RecommendQuery HOST:PORT USER K TIMEOUT_S");
      System.exit(2);
    }
    String target = args[0];
    String user = args[1];
    int k = Integer.parseInt(args[2]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      RecommenderGrpc.RecommenderBlockingStub stub = RecommenderGrpc.newBlockingStub(channel);
      ModelInfo info = null;
      String last = "";
      while (info == null) {
        try {
          info = stub.withDeadlineAfter(5, TimeUnit.SECONDS).getModelInfo(GetModelInfoRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
          String now = e.getStatus().getCode() + ": " + e.getStatus().getDescription();
          if (!now.equals(last)) {
            System.err.println("waiting for a model version (" + now + ")");
            last = now;
          }
          if (System.nanoTime() > deadline) {
            System.err.println("error: no model version served within " + args[3] + " s (last answer " + now + ")");
            System.exit(1);
          }
          Thread.sleep(2000);
        }
      }
      System.out.printf("model_version=%d model=%s users=%d items=%d dim=%d%n", info.getModelVersion(),
          info.getModel(), info.getUserCount(), info.getItemCount(), info.getDim());
      RecommendResponse r = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .recommend(RecommendRequest.newBuilder().setUserId(user).setK(k).build());
      System.out.printf("recommend user=%s model_version=%d fallback=%s index=%s items=%d%n", user,
          r.getModelVersion(), r.getFallback(), r.getIndex(), r.getItemsCount());
      for (ScoredItem item : r.getItemsList()) {
        System.out.printf("  %s %.4f%n", item.getItemId(), item.getScore());
      }
      if (r.getModelVersion() <= 0 || r.getItemsCount() == 0) {
        System.err.println("error: the reply has no model version or no items");
        System.exit(1);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
