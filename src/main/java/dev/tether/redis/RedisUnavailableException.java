package dev.tether.redis;

import javax.net.ssl.SSLException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Locale;

/** Redis cannot be reached or refused us; the message names the address, never the password. */
public class RedisUnavailableException extends IllegalStateException {
    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    static RedisUnavailableException of(RedisSettings settings, Throwable cause) {
        return new RedisUnavailableException("cannot use Redis at " + settings.display() + ": " + why(settings, cause), cause);
    }

    private static String why(RedisSettings settings, Throwable cause) {
        for (var t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException ce) return certificateProblem(settings, ce);
        }
        for (var t = cause; t != null; t = t.getCause()) {
            // a plain Redis reads a TLS hello as a command that never ends: the handshake times out
            if (t instanceof SSLException || settings.tls() && t instanceof SocketTimeoutException) {
                return "the TLS handshake failed (" + t.getClass().getSimpleName() + "; does it serve TLS on this port?)";
            }
        }
        for (var t = cause; t != null; t = t.getCause()) {
            var said = new java.util.ArrayList<String>(List.of(String.valueOf(t.getMessage())));
            for (var s : t.getSuppressed()) said.add(String.valueOf(s.getMessage()));
            for (var m : said) {
                if (m.contains("cluster support disabled")) return notACluster();
                if (m.startsWith("NOPERM")) return "its user may not run a command Tether needs (" + Text.oneLine(m) + ")";
            }
        }
        var upper = String.valueOf(cause.getMessage()).toUpperCase(Locale.ROOT);
        if (upper.contains("WRONGPASS") || upper.contains("NOAUTH") || upper.contains("INVALID PASSWORD") || upper.contains("AUTH")) {
            return "it refused the credentials (wrong user or password)";
        }
        return "it does not answer (" + cause.getClass().getSimpleName() + ")";
    }

    private static String notACluster() {
        return "it is a single server, not a cluster node (use redis:// for it)";
    }

    private static String certificateProblem(RedisSettings settings, CertificateException e) {
        var m = String.valueOf(e.getMessage());
        if (m.contains("No subject alternative") || m.contains("No name matching")) {
            return "its TLS certificate does not name " + settings.host();
        }
        if (m.contains("expired") || m.contains("not yet valid")) return "its TLS certificate is out of its validity period";
        return settings.customCa()
                ? "its TLS certificate is not signed by the CA in " + TlsTrust.ENV
                : "its TLS certificate is not trusted (set " + TlsTrust.ENV + " to the CA's PEM file)";
    }
}
