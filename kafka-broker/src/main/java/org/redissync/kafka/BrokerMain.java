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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * <p>{@code --secured KEYSTORE_PEM:TRUSTSTORE_PEM:ADMIN_PASSWORD_FILE} runs the broker with authentication
 * and authorization instead: its one client listener is SASL_SSL (SCRAM-SHA-512 over TLS, with the broker
 * certificate of KEYSTORE_PEM: key and chain), the controller listener (loopback) takes only mutual TLS with
 * certificates of TRUSTSTORE_PEM's CA, and Kafka's StandardAuthorizer refuses what no ACL allows. The super
 * users are {@code admin} (its SCRAM credential is written when the storage is formatted) and the broker
 * itself; every other principal gets exactly the ACLs of {@link KafkaAccess}. No plaintext port is opened.
 * With {@code --provision FILE} (see {@link KafkaAccess#provision(Admin, Path)}) the broker creates the suite's
 * topics, its services' users and their ACLs before it says it is ready.
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
        props.setProperty("controller.listener.names", "CONTROLLER");
        Secured secured = args.containsKey("secured") ? Secured.parse(args.get("secured")) : null;
        if (secured == null) {
            String sslPort = args.get("ssl-port");
            String ssl = sslPort == null ? "" : ",SSL://" + listenHost + ":" + sslPort;
            String advertisedSsl = sslPort == null ? "" : ",SSL://" + advertisedHost + ":" + sslPort;
            props.setProperty("listeners", "PLAINTEXT://" + listenHost + ":" + port + ssl + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.setProperty("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + port + advertisedSsl);
            props.setProperty("inter.broker.listener.name", "PLAINTEXT");
            props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL");
        } else {
            secured.configure(props, listenHost, advertisedHost, port, controllerPort);
        }
        props.setProperty("log.dirs", dataDir.resolve("data").toString());
        props.setProperty("num.partitions", "1");
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("offsets.topic.replication.factor", "1");
        // one broker: Kafka's 50 partitions each for group offsets and transaction state buy nothing here, and making
        // and loading them at the first group join and the first transaction is work on a machine that is starting
        // five JVMs at once
        props.setProperty("offsets.topic.num.partitions", "1");
        props.setProperty("transaction.state.log.num.partitions", "1");
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
        // owner-only: secured, it holds the super user's password (the broker's own SCRAM login)
        Files.deleteIfExists(propsFile);
        Files.createFile(propsFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try (var out = Files.newOutputStream(propsFile)) {
            props.store(out, "written by BrokerMain; rewritten at every start");
        }

        format(dataDir, propsFile, secured);

        Path readyFile = args.containsKey("ready-file") ? Path.of(args.get("ready-file")) : dataDir.resolve("ready");
        Files.deleteIfExists(readyFile);
        String bootstrap = advertisedHost + ":" + port;
        Map<String, String> adminClient = secured == null ? Map.of() : secured.adminClient();
        Path provision = args.containsKey("provision") ? Path.of(args.get("provision")) : null;
        if (provision != null && secured == null) {
            throw new IllegalArgumentException("--provision needs --secured (users and ACLs mean nothing without authentication)");
        }
        Thread readiness = new Thread(() -> announceWhenReady(bootstrap, adminClient, provision, readyFile), "broker-readiness");
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

    private static void format(Path dataDir, Path propsFile, Secured secured) {
        if (Files.exists(dataDir.resolve("data").resolve("meta.properties"))) {
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        List<String> cmd = new ArrayList<>(List.of("format", "-t", clusterId, "-c", propsFile.toString(), "--ignore-formatted"));
        if (secured != null) {
            // the super user's credential is in the metadata from the start (SCRAM users live there)
            cmd.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=admin,password=" + secured.adminPassword() + "]"));
        }
        int rc = kafka.tools.StorageTool.execute(cmd.toArray(String[]::new),
                new PrintStream(System.out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting the Kafka storage in " + dataDir + " failed (exit " + rc + ")");
        }
    }

    private static void announceWhenReady(String bootstrap, Map<String, String> client, Path provision, Path readyFile) {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        try (Admin admin = Admin.create(p)) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    if (provision != null) {
                        try {
                            KafkaAccess.provision(admin, provision);
                        } catch (Exception e) {
                            System.err.println("broker: provisioning from " + provision + " failed: " + e.getMessage());
                            throw e;
                        }
                    }
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

    /** The broker's identity and trust (PEM files) and its super user's password, for {@code --secured}. */
    record Secured(String keystorePem, String truststorePem, String adminPassword) {

        static Secured parse(String value) throws IOException {
            String[] parts = value.split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("--secured KEYSTORE_PEM:TRUSTSTORE_PEM:ADMIN_PASSWORD_FILE");
            }
            String password = Files.readString(Path.of(parts[2])).strip();
            if (password.length() < 16 || !password.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("the admin password in " + parts[2] + " must be 16+ characters of [A-Za-z0-9_-]");
            }
            return new Secured(Path.of(parts[0]).toAbsolutePath().toString(), Path.of(parts[1]).toAbsolutePath().toString(), password);
        }

        void configure(Properties props, String listenHost, String advertisedHost, int port, int controllerPort) {
            props.setProperty("listeners", "SASL_SSL://" + listenHost + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.setProperty("advertised.listeners", "SASL_SSL://" + advertisedHost + ":" + port);
            props.setProperty("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SSL");
            props.setProperty("inter.broker.listener.name", "SASL_SSL");
            props.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            props.setProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
            props.setProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas(adminPassword));
            props.setProperty("ssl.keystore.type", "PEM");
            props.setProperty("ssl.keystore.location", keystorePem);
            props.setProperty("ssl.truststore.type", "PEM");
            props.setProperty("ssl.truststore.location", truststorePem);
            // the controller listener: only the broker itself, by its certificate
            props.setProperty("listener.name.controller.ssl.client.auth", "required");
            props.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            props.setProperty("super.users", "User:admin;User:" + brokerPrincipal());
            props.setProperty("allow.everyone.if.no.acl.found", "false");
        }

        /** The broker's own principal on the controller listener: its certificate's subject, as Kafka names it. */
        String brokerPrincipal() {
            try {
                String text = Files.readString(Path.of(keystorePem));
                int begin = text.indexOf("-----BEGIN CERTIFICATE-----"); // the key comes first
                var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(text.substring(Math.max(begin, 0))
                                .getBytes(StandardCharsets.US_ASCII)));
                return cert.getSubjectX500Principal().getName();
            } catch (Exception e) {
                throw new IllegalArgumentException("no certificate in " + keystorePem + ": " + e.getMessage(), e);
            }
        }

        Map<String, String> adminClient() {
            return Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", jaas(adminPassword),
                    "ssl.truststore.type", "PEM", "ssl.truststore.location", truststorePem);
        }

        static String jaas(String password) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"" + password + "\";";
        }

        @Override
        public String toString() {
            return "Secured[" + keystorePem + ", " + truststorePem + ", password=[hidden]]";
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
                        + "[--secured KEYSTORE_PEM:TRUSTSTORE_PEM:ADMIN_PASSWORD_FILE [--provision FILE]] "
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
