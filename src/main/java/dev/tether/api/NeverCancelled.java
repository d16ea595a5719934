package dev.tether.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The never-cancelled token: nodes run unchanged outside Tether (plain LangGraph4j, unit tests). */
final class NeverCancelled implements Cancellation {
    static final NeverCancelled INSTANCE = new NeverCancelled();
    private static final CompletableFuture<Void> NEVER = new CompletableFuture<>();

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunCancelledException("interrupted");
        }
    }

    @Override
    public <T> T await(Future<T> future) throws ExecutionException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunCancelledException("interrupted");
        }
    }

    @Override
    public <T> T await(Future<T> future, Duration timeout) throws ExecutionException, TimeoutException {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunCancelledException("interrupted");
        }
    }

    @Override
    public Registration onCancel(Runnable action) {
        return () -> {};
    }

    @Override
    public CompletableFuture<Void> whenCancelled() {
        return NEVER.copy();
    }
}
