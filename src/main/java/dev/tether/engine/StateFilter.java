package dev.tether.engine;

import java.io.ObjectInputFilter;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * The allow-list and limits every Java-serialised state is read through. What a state may hold: the
 * JDK's value types (boxed primitives, strings, big numbers, java.time, UUID, URI, Date, Locale),
 * its general-purpose collections (lists, sets, maps, their unmodifiable, empty, singleton and
 * immutable forms), arrays of these and of primitives, and the graph's own classes
 * ({@link StateClasses}). Everything else, a gadget class on the class path included, is refused
 * before it is instantiated.
 *
 * <p>The limits scale with the record: an array (or a collection's backing array, which the JDK
 * checks through the same filter) may not be longer than the record has bytes, since each element
 * takes at least one; references likewise. A record of a hundred bytes declaring a billion-element
 * array is refused before anything is allocated.
 */
final class StateFilter implements ObjectInputFilter {
    static final int MAX_DEPTH = 100;

    private static final Set<String> JDK_CLASSES = Set.of(
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Integer",
            "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Character", "java.lang.Number",
            "java.lang.Enum", "java.lang.String$CaseInsensitiveComparator",
            // only ever as the element type of the arrays collections allocate when they are read
            "java.lang.Object", "java.util.Map$Entry",
            "java.math.BigInteger", "java.math.BigDecimal",
            "java.net.URI",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque", "java.util.Arrays$ArrayList",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.EnumMap",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet", "java.util.EnumSet$SerializationProxy",
            "java.util.RegularEnumSet", "java.util.JumboEnumSet",
            "java.util.UUID", "java.util.Date", "java.util.Locale", "java.util.BitSet",
            "java.util.AbstractMap$SimpleEntry", "java.util.AbstractMap$SimpleImmutableEntry",
            "java.util.CollSer", "java.util.ImmutableCollections$List12", "java.util.ImmutableCollections$ListN",
            "java.util.ImmutableCollections$Set12", "java.util.ImmutableCollections$SetN",
            "java.util.ImmutableCollections$Map1", "java.util.ImmutableCollections$MapN",
            "java.util.Collections$UnmodifiableCollection", "java.util.Collections$UnmodifiableSet",
            "java.util.Collections$UnmodifiableSortedSet", "java.util.Collections$UnmodifiableNavigableSet",
            "java.util.Collections$UnmodifiableList", "java.util.Collections$UnmodifiableRandomAccessList",
            "java.util.Collections$UnmodifiableMap", "java.util.Collections$UnmodifiableSortedMap",
            "java.util.Collections$UnmodifiableNavigableMap",
            "java.util.Collections$EmptyList", "java.util.Collections$EmptySet", "java.util.Collections$EmptyMap",
            "java.util.Collections$SingletonList", "java.util.Collections$SingletonSet", "java.util.Collections$SingletonMap",
            "java.util.Collections$ReverseComparator",
            "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentHashMap$Segment",
            "java.util.concurrent.CopyOnWriteArrayList",
            "java.util.concurrent.atomic.AtomicInteger", "java.util.concurrent.atomic.AtomicLong",
            "java.util.concurrent.atomic.AtomicBoolean");
    /** Value types only; their serial form is a proxy class of the same package. */
    private static final Set<String> JDK_PACKAGES = Set.of("java.time", "java.time.chrono", "java.time.zone");

    private final StateClasses classes;
    private final long maxBytes;
    private final long maxArray;
    private final long maxRefs;
    /** Why the record was refused (the first reason), for the error message. */
    private volatile String refused;

    StateFilter(StateClasses classes, int recordBytes) {
        this.classes = classes;
        this.maxBytes = recordBytes;
        this.maxArray = recordBytes + 64L;
        this.maxRefs = recordBytes + 64L;
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (info.depth() > MAX_DEPTH) return refuse("nested deeper than " + MAX_DEPTH);
        if (info.references() > maxRefs) return refuse("more objects than a record of " + maxBytes + " bytes can hold");
        if (info.streamBytes() > maxBytes) return refuse("longer than its record");
        if (info.arrayLength() > maxArray) {
            return refuse("an array of " + info.arrayLength() + " elements in a record of " + maxBytes + " bytes");
        }
        var type = info.serialClass();
        if (type == null) return Status.ALLOWED;
        var element = type;
        while (element.isArray()) element = element.getComponentType();
        return allowed(element) ? Status.ALLOWED
                : refuse(element.getName() + " is not a type a state may hold (JDK values and collections, and the graph's own classes)");
    }

    /** The first reason a record was refused; null if it was not. */
    String refused() {
        return refused;
    }

    private Status refuse(String why) {
        if (refused == null) refused = why;
        return Status.REJECTED;
    }

    private boolean allowed(Class<?> type) {
        if (type.isPrimitive()) return true;
        if (Proxy.isProxyClass(type)) return false;
        var loader = type.getClassLoader();
        boolean jdk = loader == null || loader == ClassLoader.getPlatformClassLoader();
        if (jdk) return JDK_CLASSES.contains(type.getName()) || JDK_PACKAGES.contains(type.getPackageName());
        return classes.owns(type);
    }
}
