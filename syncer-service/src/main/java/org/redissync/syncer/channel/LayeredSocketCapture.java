package org.redissync.syncer.channel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.function.Consumer;

import javax.net.ssl.SSLSocketFactory;

/**
 * Hands over the plain TCP socket a TLS socket is layered on. Closing an {@code SSLSocket} while
 * another thread reads from it waits for that read (about a second here), so a rebuild closes the
 * TCP socket underneath instead: the read fails at once.
 */
final class LayeredSocketCapture extends SSLSocketFactory {

    private final SSLSocketFactory delegate;
    private final Consumer<Socket> plain;

    LayeredSocketCapture(SSLSocketFactory delegate, Consumer<Socket> plain) {
        this.delegate = delegate;
        this.plain = plain;
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        plain.accept(s);
        return delegate.createSocket(s, host, port, autoClose);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        throw new IOException("channels connect through createSocket(host, port, timeout)");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        throw new IOException("channels connect through createSocket(host, port, timeout)");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        throw new IOException("channels connect through createSocket(host, port, timeout)");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        throw new IOException("channels connect through createSocket(host, port, timeout)");
    }
}
