package dev.tether.engine;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;

/**
 * What a run's Java-serialised state may be read back as, besides the JDK's value types and
 * collections: the classes of its own graph, meaning the classes in the package of the graph's
 * implementation and below it, resolved through the graph's class loader (a plugin jar's own loader).
 * Classes of the JDK itself never qualify this way, whatever the package: only the fixed JDK list of
 * {@link StateFilter} does.
 *
 * @param loader     resolves the state's classes
 * @param ownPackage the graph's package ("" for the unnamed package); null: JDK types only
 */
public record StateClasses(ClassLoader loader, String ownPackage) {
    /** No graph: JDK value types and collections only, through Tether's own loader. */
    public static final StateClasses JDK = new StateClasses(CheckpointCodec.class.getClassLoader(), null);

    public static StateClasses of(GraphDefinition definition) {
        var type = GraphCatalog.implementationOf(definition);
        var loader = type.getClassLoader() != null ? type.getClassLoader() : JDK.loader();
        return new StateClasses(loader, type.getPackageName());
    }

    /** Whether {@code type} is one of the graph's own classes. */
    boolean owns(Class<?> type) {
        if (ownPackage == null) return false;
        var loader = type.getClassLoader();
        if (loader == null || loader == ClassLoader.getPlatformClassLoader()) return false;
        var pkg = type.getPackageName();
        if (ownPackage.isEmpty()) return pkg.isEmpty();
        // a one-word package ("com", "org") would take in every library below it: only itself then
        return pkg.equals(ownPackage) || (ownPackage.indexOf('.') > 0 && pkg.startsWith(ownPackage + "."));
    }
}
