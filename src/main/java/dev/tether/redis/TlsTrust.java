package dev.tether.redis;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

/**
 * Whom a {@code rediss://} connection trusts: the JVM's own trust store, or the CA certificates in
 * one PEM file ({@value #ENV}), as redis-cli's {@code --cacert} does. The server's certificate must
 * always name the host we dialled: a private CA is no reason to skip hostname verification.
 */
final class TlsTrust {
    static final String ENV = "TETHER_REDIS_CA";

    private final Path caFile;
    private final SSLSocketFactory factory;

    private TlsTrust(Path caFile, SSLSocketFactory factory) {
        this.caFile = caFile;
        this.factory = factory;
    }

    static TlsTrust jvmDefault() {
        return new TlsTrust(null, null);
    }

    /** @throws IllegalArgumentException one line naming the file and what is wrong with it */
    static TlsTrust fromPem(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new GeneralSecurityException("empty");
            var store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (var c : certs) store.setCertificateEntry("ca-" + i++, c);
            var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            var ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return new TlsTrust(caFile, ctx.getSocketFactory());
        } catch (IOException e) {
            throw new IllegalArgumentException(ENV + ": cannot read " + caFile + " (" + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(ENV + ": " + caFile + " holds no PEM certificate we can read");
        }
    }

    /** {@value #ENV} if set, else the JVM's trust store. */
    static TlsTrust fromEnv() {
        var ca = System.getenv(ENV);
        return ca == null || ca.isBlank() ? jvmDefault() : fromPem(Path.of(ca.trim()));
    }

    /** Sockets that have completed the handshake with the host name verified. */
    SSLSocketFactory socketFactory() {
        var p = new SSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // hostname (or IP) must match the certificate
        return new HandshakingSocketFactory(factory != null ? factory : (SSLSocketFactory) SSLSocketFactory.getDefault(), p);
    }

    boolean customCa() {
        return caFile != null;
    }
}
