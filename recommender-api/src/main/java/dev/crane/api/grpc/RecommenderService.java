package dev.crane.api.grpc;

import dev.crane.api.serving.ApiException;
import dev.crane.api.serving.LiveVersion;
import dev.crane.api.serving.Recommendations;
import dev.crane.schemas.grpc.GetModelInfoRequest;
import dev.crane.schemas.grpc.ModelInfo;
import dev.crane.schemas.grpc.RecommendRequest;
import dev.crane.schemas.grpc.RecommendResponse;
import dev.crane.schemas.grpc.RecommenderGrpc;
import dev.crane.schemas.grpc.ScoredItem;
import dev.crane.schemas.grpc.SimilarItemsRequest;
import dev.crane.schemas.grpc.SimilarItemsResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.Supplier;

/**
 * The gRPC face of {@link Recommendations}: requests in, replies out, refusals as status codes
 * (INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE with the reason). A call whose deadline passed or that
 * the client cancelled while it waited for a thread is not computed.
 */
public final class RecommenderService extends RecommenderGrpc.RecommenderImplBase {
  private final Recommendations recommendations;

  public RecommenderService(Recommendations recommendations) {
    this.recommendations = recommendations;
  }

  @Override
  public void recommend(RecommendRequest req, StreamObserver<RecommendResponse> out) {
    answer(out, () -> {
      Recommendations.Recommendation r = recommendations.recommend(req.getUserId(), req.getK(),
          !req.hasExcludeSeen() || req.getExcludeSeen(), req.hasModelVersion() ? req.getModelVersion() : null);
      return RecommendResponse.newBuilder().setModelVersion(r.version()).setFallback(r.fallback())
          .setFoldedIn(r.foldedIn()).setIndex(r.index()).addAllItems(scored(r.items())).build();
    });
  }

  @Override
  public void similarItems(SimilarItemsRequest req, StreamObserver<SimilarItemsResponse> out) {
    answer(out, () -> {
      Recommendations.Similar s = recommendations.similar(req.getItemId(), req.getK(),
          req.hasModelVersion() ? req.getModelVersion() : null);
      return SimilarItemsResponse.newBuilder().setModelVersion(s.version()).setColdStart(s.queryIsColdStart())
          .addAllItems(scored(s.items())).build();
    });
  }

  @Override
  public void getModelInfo(GetModelInfoRequest req, StreamObserver<ModelInfo> out) {
    answer(out, () -> {
      LiveVersion v = recommendations.version(req.hasModelVersion() ? req.getModelVersion() : null);
      return ModelInfo.newBuilder().setModelVersion(v.version()).setModel(v.info().model())
          .setUserCount(v.users().size()).setItemCount(v.items().size()).setDim(v.info().dim())
          .putAllMetrics(v.info().metrics()).setCreatedAtMs(v.info().createdAtMs()).setLoadedAtMs(v.loadedAtMs())
          .addAllAvailableVersions(recommendations.availableVersions()).setColdStartItems(v.cold().size())
          .setFoldedUsers(v.foldedUsers()).setIndex(v.index().kind()).build();
    });
  }

  private static List<ScoredItem> scored(List<Recommendations.Scored> items) {
    return items.stream().map(s -> ScoredItem.newBuilder().setItemId(s.itemId()).setScore(s.score())
        .setColdStart(s.coldStart()).build()).toList();
  }

  private static <T> void answer(StreamObserver<T> out, Supplier<T> compute) {
    Context ctx = Context.current();
    if (ctx.isCancelled()) {
      Status s = ctx.getDeadline() != null && ctx.getDeadline().isExpired()
          ? Status.DEADLINE_EXCEEDED.withDescription("the deadline passed before the call was computed")
          : Status.CANCELLED.withDescription("the client cancelled the call");
      out.onError(s.asRuntimeException());
      return;
    }
    T reply;
    try {
      reply = compute.get();
    } catch (ApiException e) {
      out.onError(status(e).withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    out.onNext(reply);
    out.onCompleted();
  }

  private static Status status(ApiException e) {
    return switch (e.kind()) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case UNAVAILABLE -> Status.UNAVAILABLE;
    };
  }
}
