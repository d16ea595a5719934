package dev.tether.control;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A metrics port's token: strong enough to be a secret, and compared as it was typed. */
class MetricsTokenTest {
    static final String STRONG = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void aShortPatternedOrNonAsciiTokenIsRefusedWithOneLine() {
        assertThatThrownBy(() -> MetricsToken.check("secret", "$TETHER_METRICS_TOKEN"))
                .hasMessage("$TETHER_METRICS_TOKEN is too weak: use at least 32 random characters, e.g. the output of 'openssl rand -hex 32'");
        assertThatThrownBy(() -> MetricsToken.check("ab".repeat(20), "$TETHER_METRICS_TOKEN")).hasMessageContaining("too weak");
        assertThatThrownBy(() -> MetricsToken.check("pässwort-" + STRONG, "$TETHER_METRICS_TOKEN"))
                .hasMessage("$TETHER_METRICS_TOKEN must be printable ASCII without spaces (it travels in an HTTP header)");
        assertThatThrownBy(() -> MetricsToken.check("two words " + STRONG, "t")).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> MetricsToken.check(" ", "t")).hasMessage("t is empty");
        assertThat(MetricsToken.check(" " + STRONG + "\n", "t")).isEqualTo(STRONG);
    }

    @Test
    void aMetricsPortIsNeverServedBehindAWeakTokenAndOnlyTheExactTokenIsLetIn() throws Exception {
        assertThatThrownBy(() -> ControlServer.metricsOnly(0, "p?sswort", () -> "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ControlServer.metricsOnly(0, "p\u00e4sswort-" + STRONG, () -> "")).isInstanceOf(IllegalArgumentException.class);
        try (var server = ControlServer.metricsOnly(0, STRONG, () -> "up 1\n");
             var http = HttpClient.newHttpClient()) {
            var uri = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
            assertThat(http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + STRONG).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            var altered = STRONG.substring(0, 10) + "?" + STRONG.substring(11);
            assertThat(http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + altered).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        }
    }
}
