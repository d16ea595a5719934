package dev.tether.testing;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class on the class path whose deserialisation runs code, as a gadget in a library would: it
 * counts, in the JVM that read it, how often it was read.
 */
public final class Gadget implements Serializable {
    public static final AtomicInteger READ = new AtomicInteger();
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        READ.incrementAndGet();
        in.defaultReadObject();
    }
}
