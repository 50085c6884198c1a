package org.redissync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real {@code redis-server} process on a loopback port. The binary is Debian's {@code redis-server}
 * when it is on the PATH (or {@code REDIS_SERVER} names one), otherwise the static 7.0.15 build bundled
 * in {@code org.signal:embedded-redis}, so a machine with only a JDK can run the suite.
 */
public final class RedisServer implements AutoCloseable {

    public static final String BINARY_ENV = "REDIS_SERVER";
    private static final String BUNDLED = "redis-server-7.0.15-linux-amd64";

    private final ManagedProcess process;
    private final int port;
    private final Path dir;

    private RedisServer(ManagedProcess process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts redis-server with its working directory {@code dir} on 127.0.0.1:{@code port}.
     *
     * @param port       0 for a free one
     * @param persistent keep data across restarts (append-only file in {@code dir})
     * @param extraArgs  more {@code --name value} pairs, e.g. {@code --repl-backlog-size 64mb}
     */
    public static RedisServer start(Path dir, int port, boolean persistent, List<String> extraArgs) {
        return start(binary(), dir, port, persistent, extraArgs);
    }

    /** As {@link #start(Path, int, boolean, List)}, with an explicit redis-server binary. */
    public static RedisServer start(Path binary, Path dir, int port, boolean persistent, List<String> extraArgs) {
        Path d = dir.toAbsolutePath();
        int p = port == 0 ? FreePorts.next() : port;
        if (FreePorts.inUse(p)) {
            throw new StartupException("redis-server: port " + p + " is already in use; free it or choose another port");
        }
        List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(p),
                "--bind", "127.0.0.1",
                "--dir", d.toString(),
                "--daemonize", "no",
                "--protected-mode", "no",
                "--logfile", "",
                "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0",
                "--appendonly", persistent ? "yes" : "no",
                "--save", ""));
        socketIn(d).ifPresent(sock -> cmd.addAll(List.of("--unixsocket", sock.toString(), "--unixsocketperm", "700")));
        cmd.addAll(extraArgs);
        ManagedProcess proc = ManagedProcess.start("redis-server:" + p, cmd, d, d.resolve("redis.log"), Map.of());
        RedisServer server = new RedisServer(proc, p, d);
        if (!Waits.until(server::answersPing, proc::isAlive, Duration.ofSeconds(20))) {
            String tail = proc.logTail(10);
            proc.stop(Duration.ofSeconds(2));
            throw new StartupException("redis-server on port " + p + " did not start (log " + d.resolve("redis.log") + "):\n" + tail);
        }
        return server;
    }

    /** Adopts a redis-server started earlier, if it still runs. */
    public static Optional<RedisServer> adopt(Path dir, int port, long pid) {
        Path d = dir.toAbsolutePath();
        return ManagedProcess.adopt("redis-server:" + port, pid, d.resolve("redis.log")).map(p -> new RedisServer(p, port, d));
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The Unix socket it also listens on ({@code redis.sock} in its directory), unless that path is too long for one. */
    public Optional<Path> unixSocket() {
        return socketIn(dir);
    }

    /**
     * How a process on this host reaches it fastest, as a bdb's {@code backend}: {@code unix:/path} of its
     * socket when it has one, else {@code 127.0.0.1:port}.
     */
    public String localAddress() {
        return unixSocket().map(p -> "unix:" + p).orElse(address());
    }

    /** Linux's {@code sun_path} holds 107 bytes and the terminating NUL. */
    private static Optional<Path> socketIn(Path dir) {
        Path sock = dir.resolve("redis.sock");
        return sock.toString().getBytes(StandardCharsets.UTF_8).length <= 107 ? Optional.of(sock) : Optional.empty();
    }

    public Path dir() {
        return dir;
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }

    boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** The redis-server binary to run: $REDIS_SERVER, else one on the PATH, else the bundled one. */
    public static synchronized Path binary() {
        String configured = System.getenv(BINARY_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        for (String entry : path.split(":")) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        for (Path sbin : List.of(Path.of("/usr/bin/redis-server"), Path.of("/usr/sbin/redis-server"))) {
            if (Files.isExecutable(sbin)) {
                return sbin;
            }
        }
        return bundledBinary();
    }

    /** The static redis-server 7.0.15 from org.signal:embedded-redis, extracted once to ~/.cache. */
    public static Path bundledBinary() {
        if (!"amd64".equals(System.getProperty("os.arch")) && !"x86_64".equals(System.getProperty("os.arch"))
                || !System.getProperty("os.name").toLowerCase().contains("linux")) {
            throw new StartupException("no redis-server found: install it (apt-get install redis-server) or set " + BINARY_ENV);
        }
        Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "redis-sync");
        Path target = cacheDir.resolve(BUNDLED);
        if (Files.isExecutable(target)) {
            return target;
        }
        try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new StartupException("no redis-server found and the bundled one is missing from the class path: "
                        + "install it (apt-get install redis-server) or set " + BINARY_ENV);
            }
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempFile(cacheDir, BUNDLED, ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the bundled redis-server to " + target, e);
        }
    }
}
