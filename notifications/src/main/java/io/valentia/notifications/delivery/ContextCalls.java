package io.valentia.notifications.delivery;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** How the {@link Outbox}'s public methods move onto its context and back to their caller's. */
final class ContextCalls {
  private ContextCalls() {}

  /**
   * Runs {@code action} on {@code context} (at once when already there); a runtime exception it
   * throws fails the future.
   */
  static <T> Future<T> on(Context context, Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return call(action);
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> call(action).onComplete(promise));
    return promise.future();
  }

  /**
   * {@code work}, completed on the context of whoever called (a verticle goes on on its own
   * context, not on the outbox's).
   */
  static <T> Future<T> onCallers(Future<T> work) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return work;
    }
    Promise<T> promise = Promise.promise();
    work.onComplete(done -> caller.runOnContext(v -> promise.handle(done)));
    return promise.future();
  }

  private static <T> Future<T> call(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
