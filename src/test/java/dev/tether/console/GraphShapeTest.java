package dev.tether.console;

import org.bsc.langgraph4j.GraphRepresentation;
import dev.tether.graphs.BookWorkflowGraph;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a graph's shape from the Mermaid LangGraph4j renders for it. */
class GraphShapeTest {

    @Test
    void theBookWorkflowReadsAsLayersWithItsRevisionLoop() throws Exception {
        var book = new BookWorkflowGraph();
        var shape = GraphShape.parse(book.build().getGraph(GraphRepresentation.Type.MERMAID, book.title(), true).content());

        assertThat(shape.nodes()).extracting(GraphShape.Node::id)
                .containsExactly("__START__", "outline", "research", "draft", "review", "condition1", "publish", "__END__");
        assertThat(shape.nodes()).filteredOn(n -> n.id().equals("condition1"))
                .extracting(GraphShape.Node::kind).containsExactly(GraphShape.Kind.CONDITION);
        assertThat(shape.edges()).filteredOn(GraphShape.Edge::back).singleElement()
                .satisfies(e -> {
                    assertThat(e.from()).isEqualTo("condition1");
                    assertThat(e.to()).isEqualTo("draft");
                    assertThat(e.label()).isEqualTo("revise");
                    assertThat(e.conditional()).isTrue();
                });
        assertThat(shape.layerCount()).isEqualTo(8);
    }

    @Test
    void textThatIsNotAGraphGivesAnEmptyShape() {
        assertThat(GraphShape.parse("no graph here").nodes()).isEmpty();
        assertThat(GraphShape.parse(null).edges()).isEmpty();
    }
}
