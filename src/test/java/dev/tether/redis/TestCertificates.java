package dev.tether.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A private CA and a server certificate it signed, made with the JDK's own keytool (no extra
 * library), written as the PEM files redis-server and {@code TETHER_REDIS_CA} read.
 */
record TestCertificates(Path caPem, Path serverCertPem, Path serverKeyPem) {
    private static final String PASS = "changeit";

    /** @param serverNames keytool SAN entries for the server certificate, e.g. {@code ip:127.0.0.1} */
    static TestCertificates create(Path dir, String caName, String... serverNames) throws Exception {
        Files.createDirectories(dir);
        var ca = dir.resolve(caName + ".p12");
        var server = dir.resolve("server-" + caName + ".p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + caName,
                "-ext", "bc:c", "-validity", "3", "-storetype", "PKCS12", "-keystore", ca.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=redis-test",
                "-validity", "3", "-storetype", "PKCS12", "-keystore", server.toString());
        var csr = dir.resolve("server-" + caName + ".csr");
        keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-file", csr.toString());
        var signed = dir.resolve("server-" + caName + ".crt");
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", csr.toString(), "-outfile", signed.toString(),
                "-rfc", "-validity", "2", "-ext", "SAN=" + String.join(",", serverNames));

        var caStore = load(ca);
        var caPem = dir.resolve(caName + "-ca.pem");
        Files.writeString(caPem, pem("CERTIFICATE", caStore.getCertificate("ca").getEncoded()));
        var keyPem = dir.resolve("server-" + caName + ".key");
        var key = (PrivateKey) load(server).getKey("server", PASS.toCharArray());
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        return new TestCertificates(caPem, signed, keyPem);
    }

    private static KeyStore load(Path p12) throws Exception {
        var ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, PASS.toCharArray());
        }
        return ks;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", PASS, "-noprompt"));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
    }
}
