package org.redissync.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * Runs one Apache Kafka broker in KRaft combined mode (broker + controller in one JVM), for the
 * local suite, the tests and the broker container image.
 *
 * <pre>
 * java -jar kafka-broker.jar --data-dir DIR [--port N] [--controller-port N] [--ssl-port N]
 *      [--listen-host H] [--advertised-host H] [--ready-file F] [--log-file F] [--prop k=v]...
 * </pre>
 *
 * {@code --ssl-port} adds an SSL listener next to the plaintext one (its keystore, truststore and
 * {@code ssl.client.auth} come as {@code --prop ssl.*}), so clients' TLS settings can be tried for real.
 *
 * Port 0 (the default) picks a free port. The storage directory is formatted on first start and
 * reused afterwards (same cluster id, same data). When the broker answers an admin request, the
 * bootstrap address is written to the ready file (atomically), so launchers can wait on it.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        Path dataDir = Path.of(require(args, "data-dir")).toAbsolutePath();
        Files.createDirectories(dataDir);
        String logFile = args.getOrDefault("log-file", dataDir.resolve("kafka.log").toString());
        // Must be set before the first logger is created.
        System.setProperty("broker.log.file", logFile);

        String listenHost = args.getOrDefault("listen-host", "127.0.0.1");
        String advertisedHost = args.getOrDefault("advertised-host", "127.0.0.1".equals(listenHost) ? "127.0.0.1" : listenHost);
        int port = portOrFree(args.getOrDefault("port", "0"));
        int controllerPort = portOrFree(args.getOrDefault("controller-port", "0"));

        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        String sslPort = args.get("ssl-port");
        String ssl = sslPort == null ? "" : ",SSL://" + listenHost + ":" + sslPort;
        String advertisedSsl = sslPort == null ? "" : ",SSL://" + advertisedHost + ":" + sslPort;
        props.setProperty("listeners", "PLAINTEXT://" + listenHost + ":" + port + ssl + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.setProperty("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + port + advertisedSsl);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL");
        props.setProperty("log.dirs", dataDir.resolve("data").toString());
        props.setProperty("num.partitions", "1");
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        props.setProperty("log.cleaner.enable", "true");
        for (String extra : args.getOrDefault("prop", "").split("\u0000")) {
            if (!extra.isBlank()) {
                int eq = extra.indexOf('=');
                props.setProperty(extra.substring(0, eq), extra.substring(eq + 1));
            }
        }
        Path propsFile = dataDir.resolve("server.properties");
        try (var out = Files.newOutputStream(propsFile)) {
            props.store(out, "written by BrokerMain; rewritten at every start");
        }

        format(dataDir, propsFile);

        Path readyFile = args.containsKey("ready-file") ? Path.of(args.get("ready-file")) : dataDir.resolve("ready");
        Files.deleteIfExists(readyFile);
        String bootstrap = advertisedHost + ":" + port;
        Thread readiness = new Thread(() -> announceWhenReady(bootstrap, readyFile), "broker-readiness");
        readiness.setDaemon(true);
        readiness.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(readyFile);
            } catch (IOException ignored) {
                // best effort: the launcher also checks the process is alive
            }
        }));

        kafka.Kafka.main(new String[] {propsFile.toString()});
    }

    private static void format(Path dataDir, Path propsFile) {
        if (Files.exists(dataDir.resolve("data").resolve("meta.properties"))) {
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        int rc = kafka.tools.StorageTool.execute(
                new String[] {"format", "-t", clusterId, "-c", propsFile.toString(), "--ignore-formatted"},
                new PrintStream(System.out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting the Kafka storage in " + dataDir + " failed (exit " + rc + ")");
        }
    }

    private static void announceWhenReady(String bootstrap, Path readyFile) {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        try (Admin admin = Admin.create(p)) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
                    Files.writeString(tmp, "bootstrap=" + bootstrap + "\npid=" + ProcessHandle.current().pid() + "\n");
                    Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    return;
                } catch (Exception notYet) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    private static int portOrFree(String value) throws IOException {
        int port = Integer.parseInt(value);
        if (port != 0) {
            return port;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("usage: --data-dir DIR [--port N] [--controller-port N] [--ssl-port N] "
                        + "[--listen-host H] [--advertised-host H] [--ready-file F] [--log-file F] [--prop k=v]... (bad: " + a + ")");
            }
            String key = a.substring(2);
            String value = argv[++i];
            args.merge(key, value, (x, y) -> x + "\u0000" + y);
        }
        return args;
    }

    private static String require(Map<String, String> args, String key) {
        String v = args.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }
}
