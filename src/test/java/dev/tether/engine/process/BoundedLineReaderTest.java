package dev.tether.engine.process;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines from a stream someone else writes never cost more than the limit, however long they are. */
class BoundedLineReaderTest {

    /** {@code total} bytes of 'x' and no newline, then end of stream; produced on the fly. */
    static InputStream endless(long total) {
        return new InputStream() {
            long left = total;

            @Override
            public int read() {
                if (left == 0) return -1;
                left--;
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) return -1;
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
    }

    @Test
    void aGigabyteWithoutNewlineComesBackAsOneCutLineOfTheLimit() throws Exception {
        var lines = new BoundedLineReader(endless(1L << 30), 1024, true);
        var line = lines.next();
        assertThat(line.text()).hasSize(1024);
        assertThat(line.cut()).isTrue();
        assertThat(line.unterminated()).isTrue();
        assertThat(lines.next()).isNull();
    }

    @Test
    void withoutSkippingTheReaderStopsAtTheLimit() throws Exception {
        var source = endless(1L << 40); // a terabyte: reading it all would never end
        var line = new BoundedLineReader(source, 4096, false).next();
        assertThat(line.cut()).isTrue();
        assertThat(line.text()).hasSize(4096);
    }

    @Test
    void linesAreSplitAtNewlinesAndAPartialLastLineIsMarked() throws Exception {
        var lines = new BoundedLineReader(new ByteArrayInputStream("one\r\ntwo\n\nhalf".getBytes(StandardCharsets.UTF_8)), 100, true);
        assertThat(lines.next()).isEqualTo(new BoundedLineReader.Line("one", false, false));
        assertThat(lines.next()).isEqualTo(new BoundedLineReader.Line("two", false, false));
        assertThat(lines.next()).isEqualTo(new BoundedLineReader.Line("", false, false));
        assertThat(lines.next()).isEqualTo(new BoundedLineReader.Line("half", false, true));
        assertThat(lines.next()).isNull();
    }
}
