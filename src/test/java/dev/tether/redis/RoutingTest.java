package dev.tether.redis;

import dev.tether.graphs.BookWorkflowGraph;
import dev.tether.graphs.WelcomeEmailGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where a graph's runs go: its default queue, unless routing.properties says otherwise. */
class RoutingTest {

    @Test
    void withoutATableGraphsUseTheirOwnQueues() {
        assertThat(Routing.none().queueFor(new BookWorkflowGraph())).isEqualTo("ai_processing");
        assertThat(Routing.load(Path.of("no-such-file")).queueFor(new WelcomeEmailGraph())).isEqualTo("email");
    }

    @Test
    void theTableOverridesPerGraph(@TempDir Path dir) throws Exception {
        var file = dir.resolve("routing.properties");
        Files.writeString(file, "# graph-id = queue\nbook-workflow = gpu\n");
        var routing = Routing.load(file);
        assertThat(routing.queueFor(new BookWorkflowGraph())).isEqualTo("gpu");
        assertThat(routing.queueFor(new WelcomeEmailGraph())).isEqualTo("email");
    }

    @Test
    void anInvalidQueueInTheTableIsAOneLineError(@TempDir Path dir) throws Exception {
        var file = dir.resolve("routing.properties");
        Files.writeString(file, "book-workflow = no spaces\n");
        assertThatThrownBy(() -> Routing.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue 'no spaces' for graph 'book-workflow' is not valid");
    }
}
