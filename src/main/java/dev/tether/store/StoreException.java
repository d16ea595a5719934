package dev.tether.store;

/** The embedded store failed: a one-line reason naming the file, with the SQL error as its cause. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
