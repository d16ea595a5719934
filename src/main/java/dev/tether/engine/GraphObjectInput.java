package dev.tether.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

/**
 * Reads Java-serialised objects resolving their classes through a graph's own class loader: a plugin
 * graph's classes are not on the class path, and {@link ObjectInputStream}'s own choice (the nearest
 * loader on the stack) never sees them. Proxy classes are refused: no state holds one.
 */
final class GraphObjectInput extends ObjectInputStream {
    private final ClassLoader loader;

    GraphObjectInput(InputStream in, ClassLoader loader) throws IOException {
        super(in);
        this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
        try {
            return Class.forName(desc.getName(), false, loader);
        } catch (ClassNotFoundException e) {
            return super.resolveClass(desc); // primitive types' names
        }
    }

    @Override
    protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
        throw new InvalidClassException("a proxy class", "no state may hold one");
    }
}
