import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Measures a replica of a source redis-server (JDK only: {@code java ReplicationProbe.java ...}).
 *
 * <pre>
 * catchup &lt;source-port&gt; &lt;replica-port&gt; &lt;requests&gt; &lt;pipeline&gt; &lt;clients&gt;
 *     runs redis-benchmark SET load at the source, then writes an end marker and waits for it at the
 *     replica: prints "ops/s" = requests / (time until the replica holds everything).
 * lag &lt;source-port&gt; &lt;replica-port&gt; &lt;probes&gt;
 *     under a background redis-benchmark load, writes a unique key at the source and times until the
 *     replica shows it, one probe at a time: prints p50/p99/max in ms.
 * </pre>
 */
public class ReplicationProbe {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "catchup" -> catchup(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            case "lag" -> lag(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void catchup(int source, int replica, int requests, int pipeline, int clients) throws Exception {
        try (Resp src = new Resp(source); Resp rep = new Resp(replica)) {
            String warm = UUID.randomUUID().toString();
            src.call("SET", "bench:start", warm);
            awaitValue(rep, "bench:start", warm, 60_000);
            long t0 = System.nanoTime();
            Process load = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(source), "-t", "set", "-n",
                    Integer.toString(requests), "-P", Integer.toString(pipeline), "-c", Integer.toString(clients), "-r", "1000000", "-d", "64",
                    "-q").redirectErrorStream(true).start();
            String out = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            load.waitFor();
            long tLoad = System.nanoTime();
            String end = UUID.randomUUID().toString();
            src.call("SET", "bench:end", end);
            awaitValue(rep, "bench:end", end, 600_000);
            long tSeen = System.nanoTime();
            double loadS = (tLoad - t0) / 1e9;
            double seenS = (tSeen - t0) / 1e9;
            System.out.printf("source accepted %d SETs in %.2f s (%.0f/s); replica complete after %.2f s: %.0f ops/s replicated%n",
                    requests, loadS, requests / loadS, seenS, requests / seenS);
            System.out.printf("RESULT ops_per_s=%.0f%n", requests / seenS);
            if (!out.contains("requests per second")) {
                System.out.println(out);
            }
        }
    }

    static void lag(int source, int replica, int probes) throws Exception {
        Process load = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(source), "-t", "set", "-n", "100000000",
                "-P", "1", "-c", "4", "-r", "1000000", "-d", "64", "-q").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (Resp src = new Resp(source); Resp rep = new Resp(replica)) {
            Thread.sleep(1000);
            double[] ms = new double[probes];
            for (int i = 0; i < probes; i++) {
                String v = UUID.randomUUID().toString();
                String key = "bench:probe:" + (i % 64);
                long t = System.nanoTime();
                src.call("SET", key, v);
                awaitValue(rep, key, v, 60_000);
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("RESULT lag_p50_ms=%.2f lag_p99_ms=%.2f lag_max_ms=%.2f (%d probes under a 4-client SET load)%n",
                    ms[probes / 2], ms[(int) (probes * 0.99)], ms[probes - 1], probes);
        } finally {
            load.destroy();
            load.waitFor();
        }
    }

    static void awaitValue(Resp r, String key, String value, long timeoutMs) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!value.equals(r.call("GET", key))) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the replica did not show " + key + " within " + timeoutMs + " ms");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // poll every 0.2 ms without eating a core
        }
    }

    /** The smallest RESP2 client: one command, one reply (bulk strings as text). */
    static final class Resp implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Resp(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream());
            in = new BufferedInputStream(socket.getInputStream());
        }

        Object call(String... argv) throws IOException {
            StringBuilder sb = new StringBuilder("*").append(argv.length).append("\r\n");
            for (String a : argv) {
                sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read();
        }

        Object read() throws IOException {
            int t = in.read();
            String line = line();
            switch (t) {
                case '+', ':' -> {
                    return line;
                }
                case '-' -> throw new IOException(line);
                case '$' -> {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(n + 2);
                    return new String(b, 0, n, StandardCharsets.UTF_8);
                }
                case '*' -> {
                    List<Object> items = new ArrayList<>();
                    for (int i = Integer.parseInt(line); i > 0; i--) {
                        items.add(read());
                    }
                    return items;
                }
                default -> throw new IOException("unexpected reply " + (char) t);
            }
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("closed");
                }
                sb.append((char) c);
            }
            in.read();
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
