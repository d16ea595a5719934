package dev.tether.cli;

import picocli.CommandLine;

/** The version the jar was built as (its manifest), so it is written in one place: pom.xml. */
final class ManifestVersion implements CommandLine.IVersionProvider {
    static String version() {
        var v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"tether " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
