package dev.tether.control;

import java.util.List;
import java.util.Map;

/**
 * One request as the control server read it: method, the path's segments after {@code /api}
 * (percent-decoded), the query (decoded), headers (names in lower case) and the body.
 */
record HttpRequest(String method, String rawTarget, List<String> segments, Map<String, String> query,
                   Map<String, String> headers, byte[] body) {

    String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
