package dev.tether.control;

/**
 * What a metrics port's token must be. Prometheus sends it with every scrape, to whatever listens on
 * the port it was told: a guessable token lets any local user read the metrics, and one with
 * characters outside printable ASCII cannot travel in an HTTP header as typed (it was cut to '?'
 * bytes, so "pässwort" and "p?sswort" were the same token).
 */
public final class MetricsToken {
    public static final int MIN_LENGTH = 32;
    /** A token of this length with fewer distinct characters is a pattern, not a secret. */
    static final int MIN_DISTINCT = 10;

    private MetricsToken() {}

    /**
     * @param source where the token came from, as the error names it
     * @return the token without surrounding white space
     * @throws IllegalArgumentException with a one-line reason
     */
    public static String check(String token, String source) {
        if (token == null || token.isBlank()) throw new IllegalArgumentException(source + " is empty");
        var t = token.strip();
        if (!t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(source + " must be printable ASCII without spaces (it travels in an HTTP header)");
        }
        if (t.length() < MIN_LENGTH || t.chars().distinct().count() < MIN_DISTINCT) {
            throw new IllegalArgumentException(source + " is too weak: use at least " + MIN_LENGTH
                    + " random characters, e.g. the output of 'openssl rand -hex 32'");
        }
        return t;
    }
}
