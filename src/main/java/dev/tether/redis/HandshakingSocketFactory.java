package dev.tether.redis;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * Completes the TLS handshake, host name checked, while the socket is created. Left to the first
 * write, a failed handshake is tried again when the client flushes on its way out, and a plain
 * Redis port (which waits for the end of a "command" that never comes) costs two read timeouts per
 * connection instead of one.
 */
final class HandshakingSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final SSLParameters parameters;

    HandshakingSocketFactory(SSLSocketFactory delegate, SSLParameters parameters) {
        this.delegate = delegate;
        this.parameters = parameters;
    }

    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose) throws IOException {
        var tls = (SSLSocket) delegate.createSocket(plain, host, port, autoClose);
        tls.setSSLParameters(parameters);
        try {
            tls.startHandshake();
            return tls;
        } catch (IOException e) {
            if (!plain.isClosed()) { // a timed-out hello leaves it open: no close_notify dance with a peer that never spoke TLS
                try {
                    plain.setSoLinger(true, 0);
                    plain.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    // Jedis always wraps a connected plain socket; these exist only to satisfy the contract
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return delegate.createSocket(address, port, localAddress, localPort);
    }
}
