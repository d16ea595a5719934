package dev.tether.catalog;

/**
 * The Tether home or a plugins folder is not private: another user owns it, or its group or others
 * may write in it, so someone else could plant a control file, a store or code that runs as this
 * user. Tether refuses to use it (exit code 7) rather than trust what is in it.
 */
public final class UnsafeFolderException extends RuntimeException {
    public UnsafeFolderException(String message) {
        super(message);
    }
}
