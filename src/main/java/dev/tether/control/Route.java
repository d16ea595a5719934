package dev.tether.control;

import java.io.IOException;
import java.util.Map;

/** What a {@link ControlServer} does with an admitted request (the token; on TCP also the right host and no Origin). */
interface Route {
    void serve(HttpRequest request, Reply reply, Map<String, String> headers) throws IOException;

    /** The one path outside {@code /api}: the Prometheus scrape. */
    String METRICS_PATH = "/metrics";

    /** Whether the request asks for {@link #METRICS_PATH} (with or without a query). */
    static boolean isMetrics(HttpRequest request) {
        var t = request.rawTarget();
        int q = t.indexOf('?');
        return (q < 0 ? t : t.substring(0, q)).equals(METRICS_PATH);
    }

    /** Answers the scrape, or refuses a method other than GET. */
    static void metrics(HttpRequest request, Reply reply, Map<String, String> headers,
                        java.util.function.Supplier<String> scrape) throws IOException {
        if (!request.method().equals("GET")) {
            throw new HttpContract.Refusal(HttpContract.ErrorKind.METHOD_NOT_ALLOWED, request.method() + " is not allowed on " + METRICS_PATH);
        }
        HttpAnswer.text(reply, 200, dev.tether.metrics.TetherMetrics.CONTENT_TYPE, scrape.get(), headers);
    }
}
