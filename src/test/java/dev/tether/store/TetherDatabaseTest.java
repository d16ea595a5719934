package dev.tether.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TetherDatabaseTest {
    @TempDir Path dir;

    @Test
    void schemaStepsRunOnceAndAWriteIsAllOrNothing() {
        var file = dir.resolve("sub/tether.db");
        try (var db = TetherDatabase.open(file)) {
            db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)"));
            db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)")); // already there: not run again
            assertThatThrownBy(() -> db.write(c -> {
                c.createStatement().execute("INSERT INTO t VALUES (1)");
                throw new IllegalStateException("half way");
            })).hasMessage("half way");
            assertThat(count(db)).isZero();
            db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)", "INSERT INTO t VALUES (7)"));
            assertThat(count(db)).isEqualTo(1);
        }
        assertThat(file).exists();
    }

    static String mode(Path file) throws java.io.IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theStoreAndItsLogFilesAreReadableByTheirUserOnlyWhateverTheUmask() throws Exception {
        var file = dir.resolve("tether.db");
        try (var db = TetherDatabase.open(file)) {
            db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)"));
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO t VALUES (1)"));
            assertThat(mode(file)).isEqualTo("rw-------");
            assertThat(mode(dir.resolve("tether.db-wal"))).isEqualTo("rw-------");
            assertThat(mode(dir.resolve("tether.db-shm"))).isEqualTo("rw-------");
        }
    }

    @Test
    void aStoreLeftReadableByOthersIsNarrowedWhenOpened() throws Exception {
        var file = dir.resolve("tether.db");
        try (var db = TetherDatabase.open(file)) {
            db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)"));
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (var db = TetherDatabase.open(file)) {
            assertThat(count(db)).isZero();
            assertThat(mode(file)).isEqualTo("rw-------");
        }
    }

    @Test
    void aGarbageFileIsMovedAsideAndAFreshStoreStarted() throws Exception {
        var file = dir.resolve("tether.db");
        Files.writeString(file, "this is not a database, it was overwritten by something else ".repeat(200));
        try (var db = TetherDatabase.open(file)) {
            db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)"));
            assertThat(count(db)).isZero();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("tether.db.unreadable-"));
        }
    }

    @Test
    void openingTheSameFileTwiceSharesOneConnectionUntilTheLastClose() {
        var file = dir.resolve("tether.db");
        var a = TetherDatabase.open(file);
        var b = TetherDatabase.open(file);
        assertThat(a).isSameAs(b);
        a.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)"));
        a.close();
        assertThat(count(b)).isZero(); // still open for b
        b.close();
    }

    @Test
    void aNewerSchemaThanThisVersionKnowsIsAClearError() {
        try (var db = TetherDatabase.open(dir.resolve("tether.db"))) {
            db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)", "CREATE TABLE u (v INTEGER)"));
            assertThatThrownBy(() -> db.ensureSchema("t", List.of("CREATE TABLE t (v INTEGER)")))
                    .isInstanceOf(StoreException.class).hasMessageContaining("newer than this Tether knows");
        }
    }

    private static int count(TetherDatabase db) {
        return db.read(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
