package dev.tether.engine.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines from a stream someone else writes, never more than {@code max} bytes held: a line without
 * an end (a tool that writes a gigabyte without a newline) costs bounded memory. Reads in blocks, not
 * byte by byte, so a long legitimate line (a checkpoint) is cheap.
 */
final class BoundedLineReader {
    /**
     * A line as read; {@code cut} when it was longer than the limit; {@code unterminated} when the
     * stream ended in it (its writer died in the middle of it).
     */
    record Line(String text, boolean cut, boolean unterminated) {}

    private final InputStream in;
    private final int max;
    private final boolean skipRest;
    private final byte[] buf = new byte[16 * 1024];
    private int pos, len;

    /**
     * @param skipRest true: a longer line is returned cut and its rest skipped up to its newline;
     *                 false: it is returned cut as soon as the limit is passed (the stream is then
     *                 not to be trusted any more)
     */
    BoundedLineReader(InputStream in, int max, boolean skipRest) {
        this.in = in;
        this.max = max;
        this.skipRest = skipRest;
    }

    /** Whether bytes are already read and waiting here (a line the writer sent that nobody took yet). */
    boolean buffered() {
        return pos < len;
    }

    /** The next line, without its newline; a last line without one as it is; null at the end of the stream. */
    Line next() throws IOException {
        var out = new ByteArrayOutputStream(256);
        boolean any = false, cut = false;
        while (true) {
            if (pos == len) {
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) {
                    pos = len = 0;
                    return any ? line(out, cut, true) : null;
                }
                pos = 0;
                len = n;
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < len; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? len : nl;
            int take = Math.min(end - pos, max - out.size());
            if (take > 0) out.write(buf, pos, take);
            if (end - pos > take) {
                cut = true;
                if (!skipRest) {
                    pos += take;
                    return line(out, true, false);
                }
            }
            pos = end;
            if (nl >= 0) {
                pos = nl + 1;
                return line(out, cut, false);
            }
        }
    }

    private static Line line(ByteArrayOutputStream out, boolean cut, boolean unterminated) {
        int n = out.size();
        var bytes = out.toByteArray();
        if (n > 0 && bytes[n - 1] == '\r') n--;
        return new Line(new String(bytes, 0, n, StandardCharsets.UTF_8), cut, unterminated);
    }
}
