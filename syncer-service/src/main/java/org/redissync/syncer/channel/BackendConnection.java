package org.redissync.syncer.channel;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.redissync.events.RedisAddress;
import org.redissync.syncer.resp.RespCommand;

/**
 * A plain, blocking RESP2 connection to the local backend redis-server: a channel's applier thread
 * owns one. Commands are written in one flush and their replies read back in order (pipelining).
 */
public final class BackendConnection implements Closeable {

    /** An error reply ({@code -ERR ...}). */
    public record Error(String message) {
    }

    private final Closeable socket;
    private final Out out;
    private final In in;

    /**
     * Connects to {@code address}: TCP, or its Unix socket.
     *
     * @param timeoutMs connect timeout; reads and writes wait at most 30 s, or this when longer
     */
    public BackendConnection(RedisAddress address, int timeoutMs) throws IOException {
        this(address, timeoutMs, Math.max(timeoutMs, 30_000));
    }

    BackendConnection(RedisAddress address, int timeoutMs, int ioTimeoutMs) throws IOException {
        if (address.isUnix()) {
            UnixSocket unix = new UnixSocket(Path.of(address.socketPath()), ioTimeoutMs);
            socket = unix;
            out = new Out(unix.output());
            in = new In(unix.input());
        } else {
            Socket tcp = new Socket();
            socket = tcp;
            try {
                tcp.setTcpNoDelay(true);
                tcp.setKeepAlive(true);
                tcp.connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
                tcp.setSoTimeout(ioTimeoutMs);
                out = new Out(tcp.getOutputStream());
                in = new In(tcp.getInputStream());
            } catch (IOException e) {
                tcp.close();
                throw e;
            }
        }
    }

    /**
     * Connects to {@code backend} and logs in as the syncer-service's own user when it is a shard of ours.
     *
     * @throws IOException also when the login is refused
     */
    public static BackendConnection admin(org.redissync.syncer.shard.Backend backend, int timeoutMs) throws IOException {
        BackendConnection c = new BackendConnection(backend.address(), timeoutMs);
        if (backend.adminPassword() != null) {
            try {
                Object r = c.call("AUTH", org.redissync.syncer.shard.Backend.ADMIN_USER, backend.adminPassword());
                if (r instanceof Error e) {
                    throw new IOException("backend " + backend.address() + " refused the syncer's login: " + e.message());
                }
            } catch (IOException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** Queue one command (not sent until {@link #flush()}). */
    public void write(byte[]... argv) throws IOException {
        out.write('*');
        writeNumber(argv.length);
        for (byte[] a : argv) {
            out.write('$');
            writeNumber(a.length);
            out.write(a);
            out.write('\r');
            out.write('\n');
        }
    }

    /** Queue one command as it is encoded already. */
    void write(RespCommand command) throws IOException {
        out.write(command.buffer(), command.start(), command.length());
    }

    public void write(String... argv) throws IOException {
        byte[][] b = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) {
            b[i] = argv[i].getBytes(StandardCharsets.UTF_8);
        }
        write(b);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** One command, its reply. */
    public Object call(String... argv) throws IOException {
        write(argv);
        flush();
        return read();
    }

    /** One command of binary arguments, its reply. */
    public Object call(byte[]... argv) throws IOException {
        write(argv);
        flush();
        return read();
    }

    /**
     * The next reply: {@code String} (simple), {@link Error}, {@code Long}, {@code byte[]} (bulk, or
     * null), {@code List<Object>} (array, or null).
     */
    public Object read() throws IOException {
        int type = in.read();
        switch (type) {
            case '+':
                return line();
            case '-':
                return new Error(line());
            case ':':
                return Long.parseLong(line());
            case '$': {
                int len = Integer.parseInt(line());
                if (len < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(len);
                if (b.length < len) {
                    throw new EOFException("backend closed the connection");
                }
                in.skipNBytes(2);
                return b;
            }
            case '*': {
                int n = Integer.parseInt(line());
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            case -1:
                throw new EOFException("backend closed the connection");
            default:
                throw new IOException("unexpected reply type from the backend: " + (char) type);
        }
    }

    /**
     * Reads one reply without materialising it (the hot path of a batch: thousands of {@code +QUEUED}
     * and {@code +OK}). Returns the message of an error reply — at top level, or, for an array, of its
     * elements, each passed to {@code elementErrors} — and null otherwise.
     */
    public String skip(java.util.function.Consumer<String> elementErrors) throws IOException {
        int type = in.read();
        switch (type) {
            case '+', ':' -> {
                skipLine();
                return null;
            }
            case '-' -> {
                return line();
            }
            case '$' -> {
                int len = Integer.parseInt(line());
                if (len >= 0) {
                    in.skipNBytes(len + 2L);
                }
                return null;
            }
            case '*' -> {
                int n = Integer.parseInt(line());
                for (int i = 0; i < n; i++) {
                    String e = skip(elementErrors);
                    if (e != null && elementErrors != null) {
                        elementErrors.accept(e);
                    }
                }
                return null;
            }
            case -1 -> throw new EOFException("backend closed the connection");
            default -> throw new IOException("unexpected reply type from the backend: " + (char) type);
        }
    }

    private void skipLine() throws IOException {
        for (;;) {
            int c = in.read();
            if (c == -1) {
                throw new EOFException("backend closed the connection");
            }
            if (c == '\n') {
                return;
            }
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (;;) {
            int c = in.read();
            if (c == -1) {
                throw new EOFException("backend closed the connection");
            }
            if (c == '\r') {
                in.read();
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    private final byte[] digits = new byte[12];

    /** Decimal digits and CRLF, without allocating (every argument of every command passes here). */
    private void writeNumber(int n) throws IOException {
        int i = digits.length;
        digits[--i] = '\n';
        digits[--i] = '\r';
        do {
            digits[--i] = (byte) ('0' + n % 10);
            n /= 10;
        } while (n > 0);
        out.write(digits, i, digits.length - i);
    }

    /**
     * Unsynchronized buffers: {@code BufferedOutputStream}/{@code BufferedInputStream} take a lock per
     * call, i.e. per byte of every reply and per piece of every command on a channel's hot path; one
     * thread owns a connection.
     */
    private static final class Out {
        private final OutputStream socket;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;

        Out(OutputStream socket) {
            this.socket = socket;
        }

        void write(int b) throws IOException {
            if (pos == buf.length) {
                flush();
            }
            buf[pos++] = (byte) b;
        }

        void write(byte[] b) throws IOException {
            write(b, 0, b.length);
        }

        void write(byte[] b, int off, int len) throws IOException {
            if (len > buf.length - pos) {
                flush();
                if (len > buf.length) {
                    socket.write(b, off, len);
                    return;
                }
            }
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
        }

        void flush() throws IOException {
            if (pos > 0) {
                socket.write(buf, 0, pos);
                pos = 0;
            }
            socket.flush();
        }
    }

    private static final class In {
        private final InputStream socket;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int limit;

        In(InputStream socket) {
            this.socket = socket;
        }

        int read() throws IOException {
            if (pos == limit && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        private boolean fill() throws IOException {
            int n = socket.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }

        byte[] readNBytes(int len) throws IOException {
            byte[] out = new byte[len];
            int got = 0;
            while (got < len) {
                if (pos == limit && !fill()) {
                    return java.util.Arrays.copyOf(out, got);
                }
                int n = Math.min(len - got, limit - pos);
                System.arraycopy(buf, pos, out, got, n);
                pos += n;
                got += n;
            }
            return out;
        }

        void skipNBytes(long n) throws IOException {
            long left = n;
            while (left > 0) {
                if (pos == limit && !fill()) {
                    throw new EOFException("backend closed the connection");
                }
                int k = (int) Math.min(left, limit - pos);
                pos += k;
                left -= k;
            }
        }
    }

    /**
     * A Unix domain socket with read and write timeouts, which a blocking {@code SocketChannel} does not
     * have: the channel is non-blocking and waits for readiness in a selector of its own.
     */
    private static final class UnixSocket implements Closeable {
        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;
        private final long timeoutMs;

        UnixSocket(Path path, long timeoutMs) throws IOException {
            this.timeoutMs = timeoutMs;
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(path)); // local: connects or fails at once
                channel.configureBlocking(false);
                selector = Selector.open();
                key = channel.register(selector, 0);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        int read(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            int n;
            while ((n = channel.read(bb)) == 0) {
                await(SelectionKey.OP_READ, "reply");
            }
            return n;
        }

        void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                if (channel.write(bb) == 0) {
                    await(SelectionKey.OP_WRITE, "room to write");
                }
            }
        }

        private void await(int op, String what) throws IOException {
            key.interestOps(op);
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            try {
                while (selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)) == 0) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw new SocketTimeoutException("no " + what + " from the backend in " + timeoutMs + " ms");
                    }
                }
                selector.selectedKeys().clear();
            } finally {
                key.interestOps(0);
            }
        }

        InputStream input() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return UnixSocket.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return len == 0 ? 0 : UnixSocket.this.read(b, off, len);
                }
            };
        }

        OutputStream output() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    UnixSocket.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    UnixSocket.this.write(b, off, len);
                }
            };
        }

        @Override
        public void close() throws IOException {
            try {
                selector.close();
            } finally {
                channel.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
