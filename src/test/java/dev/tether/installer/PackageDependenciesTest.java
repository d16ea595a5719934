package dev.tether.installer;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packages' declared dependencies cover every library the bundled JavaFX native code links
 * against: the NEEDED entries of the .so files in the javafx-graphics jar. The .deb's
 * (jpackage-deb.cfg) name packages, each soname mapped to the package that installs it here; the
 * .rpm's (jpackage-rpm.cfg) name the sonames themselves, as RPM does. A JavaFX upgrade that links one
 * more library fails this test until it is declared. Needs objdump (and dpkg and the libraries
 * installed, for the .deb).
 */
@Tag("process")
class PackageDependenciesTest {
    /** The C library's own: every Linux system has them (libc6 / glibc is always required). */
    private static final Set<String> BASE = Set.of("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "ld-linux-x86-64.so.2");

    @Test
    void theDebDeclaresThePackageOfEveryLibraryTheJavaFxNativesNeed() throws Exception {
        assumeTrue(onPath("objdump") && onPath("dpkg"), "needs objdump (binutils) and dpkg");
        var needed = neededByJavaFx();
        var declared = declaredPackages();
        assertThat(declared).as("jpackage-deb.cfg declares --linux-package-deps").contains("libgtk-3-0");

        var missing = new ArrayList<String>();
        for (var soname : needed) {
            var owners = run("sh", "-c", "dpkg -S '*/" + soname + "' 2>/dev/null | cut -d: -f1 | sort -u");
            assumeTrue(!owners.isEmpty(), soname + " is not installed here (apt-get install libgtk-3-0)");
            if (owners.stream().noneMatch(o -> declared.contains(o) || declared.contains(o.replaceFirst("t64$", "")))) {
                missing.add(soname + " (from " + String.join(" or ", owners) + ")");
            }
        }
        assertThat(missing).as("libraries the console needs that the .deb does not declare").isEmpty();
    }

    @Test
    void theRpmRequiresEverySonameTheJavaFxNativesNeed() throws Exception {
        assumeTrue(onPath("objdump"), "needs objdump (binutils)");
        var needed = neededByJavaFx();
        var cfg = Files.readString(Path.of("jpackage-rpm.cfg"));
        var m = Pattern.compile("--linux-package-deps\\s+\"([^\"]+)\"").matcher(cfg);
        assertThat(m.find()).as("jpackage-rpm.cfg declares --linux-package-deps").isTrue();
        var declared = new TreeSet<String>();
        for (var dep : m.group(1).split(",")) declared.add(dep.trim());
        var expected = needed.stream().map(so -> so + "()(64bit)").toList();
        assertThat(declared).as("the .rpm requires every soname, the RPM way").containsAll(expected);
        assertThat(declared).as("and nothing the natives do not need").hasSameSizeAs(expected);
    }

    /** The NEEDED sonames of the Linux javafx-graphics jar's natives, less the C library's. */
    private static Set<String> neededByJavaFx() throws Exception {
        var jar = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> p.contains("javafx-graphics") && p.endsWith("-linux.jar")).findFirst();
        assumeTrue(jar.isPresent(), "needs the Linux javafx-graphics jar");
        var dir = Files.createTempDirectory("fx-natives");
        var needed = new TreeSet<String>();
        try (var zip = new ZipFile(jar.get())) {
            for (var e : zip.stream().filter(e -> e.getName().endsWith(".so")).toList()) {
                var so = dir.resolve(Path.of(e.getName()).getFileName().toString());
                try (var in = zip.getInputStream(e)) {
                    Files.copy(in, so);
                }
                for (var line : run("objdump", "-p", so.toString())) {
                    var m = Pattern.compile("^\\s*NEEDED\\s+(\\S+)").matcher(line);
                    if (m.find() && !BASE.contains(m.group(1))) needed.add(m.group(1));
                }
            }
        }
        assertThat(needed).as("the natives link against GTK 3").contains("libgtk-3.so.0");
        return needed;
    }

    /** The package names in --linux-package-deps, alternatives included. */
    private static Set<String> declaredPackages() throws IOException {
        var cfg = Files.readString(Path.of("jpackage-deb.cfg"));
        var m = Pattern.compile("--linux-package-deps\\s+\"([^\"]+)\"").matcher(cfg);
        var out = new TreeSet<String>();
        if (!m.find()) return out;
        for (var alt : m.group(1).split("[,|]")) {
            var name = alt.trim().split("\\s")[0];
            if (!name.isEmpty()) out.add(name);
        }
        return out;
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private static List<String> run(String... cmd) throws IOException, InterruptedException {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes()).lines().filter(l -> !l.isBlank()).toList();
        p.waitFor();
        return out;
    }
}
