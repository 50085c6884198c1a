package org.redissync.syncer.channel;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain, blocking RESP2 connection to the local backend redis-server: a channel's applier thread
 * owns one. Commands are written in one flush and their replies read back in order (pipelining).
 */
public final class BackendConnection implements Closeable {

    /** An error reply ({@code -ERR ...}). */
    public record Error(String message) {
    }

    private final Socket socket;
    private final Out out;
    private final In in;

    public BackendConnection(String host, int port, int timeoutMs) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        socket.connect(new InetSocketAddress(host, port), timeoutMs);
        socket.setSoTimeout(Math.max(timeoutMs, 30_000));
        out = new Out(socket.getOutputStream());
        in = new In(socket.getInputStream());
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

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
