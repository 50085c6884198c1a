package org.redissync.runtime.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.redissync.testing.FreePorts;
import org.redissync.testing.KafkaBroker;
import org.redissync.testing.kafka.KafkaUsers;
import org.redissync.testing.kafka.KafkaPki;
import org.redissync.testing.ManagedProcess;
import org.redissync.testing.RedisServer;
import org.redissync.testing.StartupException;

/**
 * The one-command local suite: {@code up} starts a Kafka broker, cert-service, crdb-coordinator and
 * one syncer-service per cluster (which runs each of its bdbs' redis-servers), waits until each is
 * healthy, writes {@code suite.json} and returns (everything keeps running in the background);
 * {@code down} stops all of it by PID; {@code status} tells what runs. State (broker data, redis
 * data, CA) survives {@code down}/{@code up}; {@code --fresh} wipes it.
 */
public final class LocalSuite {

    static final String[] CLUSTER_NAMES = {"cluster-a", "cluster-b", "cluster-c", "cluster-d", "cluster-e", "cluster-f",
            "cluster-g", "cluster-h", "cluster-i"};

    private final SuiteLayout layout;
    private final List<Running> started = new ArrayList<>();

    /** One started component as recorded in {@code run/processes}: name, pid, health URL or "-". */
    record Running(String name, long pid, String health) {
    }

    LocalSuite(SuiteLayout layout) {
        this.layout = layout;
    }

    public static void main(String[] args) {
        Path repo = Path.of(System.getProperty("suite.repo", ".")).toAbsolutePath().normalize();
        String home = Optional.ofNullable(System.getenv("SUITE_HOME")).filter(s -> !s.isBlank()).orElse(repo.resolve(".suite").toString());
        LocalSuite suite = new LocalSuite(new SuiteLayout(repo, Path.of(home).toAbsolutePath()));
        String command = args.length == 0 ? "help" : args[0];
        int clusters = 3;
        boolean fresh = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--clusters" -> clusters = Integer.parseInt(args[++i]);
                case "--fresh" -> fresh = true;
                default -> {
                    if (!"restart".equals(command) || i != 1) {
                        fail("unknown option " + args[i] + "; usage: suite up|down|status|restart <service> [--clusters N] [--fresh]");
                    }
                }
            }
        }
        if (clusters < 1 || clusters > CLUSTER_NAMES.length) {
            fail("--clusters must be between 1 and " + CLUSTER_NAMES.length);
        }
        try {
            switch (command) {
                case "up" -> suite.up(clusters, fresh);
                case "down" -> suite.down(fresh);
                case "status" -> System.exit(suite.status() ? 0 : 3);
                case "restart" -> suite.restart(args.length > 1 ? args[1] : "");
                default -> {
                    System.out.println("usage: deploy/local/suite up|down|status [--clusters N] [--fresh] | restart <service>");
                    System.exit("help".equals(command) ? 0 : 2);
                }
            }
        } catch (StartupException e) {
            fail(e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------- up

    void up(int clusters, boolean fresh) {
        if (fresh) {
            down(true);
        }
        List<Running> already = readProcesses().stream().filter(r -> alive(r.pid())).toList();
        if (!already.isEmpty()) {
            System.out.println("The suite is already running (" + already.size() + " processes); `suite down` stops it.");
            refreshProxyCertificates();
            status();
            return;
        }
        requireBuilt();
        try {
            Files.createDirectories(layout.logs());
            Files.createDirectories(layout.state());
            Files.createDirectories(layout.processes().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties ports = loadPorts(clusters);
        SuiteSecrets secrets = new SuiteSecrets(layout.state().resolve("secrets"));
        long t0 = System.nanoTime();
        System.out.println("Starting the suite in " + layout.home() + " (" + clusters + " clusters)");
        try {
            // The controller's port is chosen here with the others: left to the broker, it could take one the
            // suite chose for a process not started yet.
            // Kafka with authentication and ACLs from the first start: SCRAM over TLS (its own small PKI, made here:
            // cert-service needs Kafka first), one user per service, each writing only the topics it owns.
            Path kafkaDir = layout.state().resolve("kafka");
            if (Files.exists(kafkaDir.resolve("data/meta.properties")) && !Files.exists(kafkaDir.resolve("secured"))) {
                throw new StartupException("this suite's Kafka was made without authentication by an older version; "
                        + "`deploy/local/suite up --fresh` makes a new one (its CRDBs and bdbs are not kept)");
            }
            KafkaPki kafkaPki = KafkaPki.in(layout.state().resolve("kafka-pki"), List.of("127.0.0.1", "localhost"));
            List<String> clusterNamesForKafka = new ArrayList<>(List.of(CLUSTER_NAMES).subList(0, clusters));
            Map<String, String> kafkaPasswords = new LinkedHashMap<>();
            KafkaUsers.of(clusterNamesForKafka).forEach(u -> kafkaPasswords.put(u, secrets.secret("kafka-" + u)));
            // the broker makes the topics, users and ACLs itself before it is ready (the same in every form)
            Path provisioning = layout.state().resolve("secrets/kafka-provisioning.properties");
            SuiteSecrets.writeProperties(provisioning, KafkaUsers.provisioning("", clusterNamesForKafka, kafkaPasswords));
            KafkaBroker broker = step("kafka-broker", () -> {
                List<String> args = new ArrayList<>(List.of("--controller-port", ports.getProperty("kafka.controller")));
                args.addAll(KafkaBroker.securedArgs(kafkaPki, secrets.file("kafka-admin"), provisioning));
                KafkaBroker b = KafkaBroker.start(kafkaDir, Integer.parseInt(ports.getProperty("kafka")), args);
                markSecured(kafkaDir);
                return b;
            }, b -> b.bootstrapServers() + " (SCRAM over TLS; " + kafkaPasswords.size() + " users, each writing only its own topics)");
            record(new Running("kafka-broker", broker.process().pid(), "-"));
            String bootstrap = broker.bootstrapServers();

            List<String> clusterNames = new ArrayList<>(List.of(CLUSTER_NAMES).subList(0, clusters));

            int certPort = Integer.parseInt(ports.getProperty("cert-service"));
            Map<String, String> certConfig = new LinkedHashMap<>();
            certConfig.put("kafka.bootstrap.servers", bootstrap);
            kafkaClient(certConfig, "cert-service", KafkaUsers.CERT_SERVICE, kafkaPasswords.get(KafkaUsers.CERT_SERVICE), kafkaPki);
            certConfig.put("redissync.state-dir", layout.state().resolve("cert-service").toString());
            certConfig.put("redissync.tls.host", "127.0.0.1");
            certConfig.put("redissync.tls.port", ports.getProperty("cert-service.tls"));
            certConfig.put("redissync.admin-token", secrets.secret("cert-service-admin-token"));
            // bootstrap tokens are short-lived: new at every up, good for an hour; the services keep their certificates
            // (state-dir, keys 0600) and renew over mutual TLS, so a restart needs no token
            String tokensExpire = java.time.Instant.now().plus(tokenTtl()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            certConfig.put("redissync.clusters.control-plane.token", secrets.token("control-plane"));
            certConfig.put("redissync.clusters.control-plane.token-expires-at", tokensExpire);
            certConfig.put("redissync.clusters.control-plane.names", "localhost,127.0.0.1");
            certConfig.put("redissync.clusters.control-plane.roles", "api");
            for (String cluster : clusterNames) {
                certConfig.put("redissync.clusters." + cluster + ".token", secrets.token(cluster));
                certConfig.put("redissync.clusters." + cluster + ".token-expires-at", tokensExpire);
                certConfig.put("redissync.clusters." + cluster + ".names", "localhost,127.0.0.1");
            }
            start(List.of(service("cert-service", "cert-service", certPort, Integer.parseInt(ports.getProperty("cert-service.management")),
                    certConfig)));
            fetch("http://127.0.0.1:" + certPort + "/v1/cluster/certificates/ca", layout.caCert());
            int apiPort = Integer.parseInt(ports.getProperty("api.tls"));
            Map<String, String> api = new LinkedHashMap<>();
            api.put("kafka.bootstrap.servers", bootstrap);
            kafkaClient(api, "crdb-coordinator", KafkaUsers.COORDINATOR, kafkaPasswords.get(KafkaUsers.COORDINATOR), kafkaPki);
            api.put("quarkus.security.users.embedded.users.admin", secrets.secret("admin-password"));
            api.put("quarkus.security.users.embedded.roles.admin", "admin");
            api.put("quarkus.security.users.embedded.users.viewer", secrets.secret("viewer-password"));
            api.put("quarkus.security.users.embedded.roles.viewer", "viewer");
            api.put("redissync.cert-service.admin-token", secrets.secret("cert-service-admin-token"));
            api.put("redissync.cert-service.tls-url", "https://127.0.0.1:" + ports.getProperty("cert-service.tls"));
            api.put("redissync.cert-service.ca-file", layout.caCert().toString());
            api.put("redissync.api.token", secrets.token("control-plane"));
            api.put("redissync.api.state-dir", layout.state().resolve("crdb-coordinator").resolve("certs").toString());
            api.put("redissync.tasks.timeout", Optional.ofNullable(System.getenv("SUITE_TASK_TIMEOUT")).orElse("PT60S"));
            for (String cluster : clusterNames) {
                api.put("redissync.clusters." + cluster + ".endpoint-host", "127.0.0.1");
            }
            // RE scripts name no cluster (one API per cluster there): theirs is the first one
            api.put("redissync.api.default-cluster", clusterNames.get(0));
            // HTTPS only (no plaintext listener): ready once it serves with the API certificate cert-service signed
            // the coordinator and the syncer-services need only the broker and cert-service
            List<Service> rest = new ArrayList<>();
            rest.add(service("crdb-coordinator", "crdb-coordinator", apiPort, Integer.parseInt(ports.getProperty("crdb-coordinator.management")),
                    api));
            for (String cluster : clusterNames) {
                int p = Integer.parseInt(ports.getProperty(cluster + ".syncer"));
                Map<String, String> syncer = new LinkedHashMap<>();
                syncer.put("kafka.bootstrap.servers", bootstrap);
                kafkaClient(syncer, "syncer-service " + cluster, KafkaUsers.syncer(cluster), kafkaPasswords.get(KafkaUsers.syncer(cluster)), kafkaPki);
                syncer.put("redissync.cluster.name", cluster);
                syncer.put("redissync.cluster.shards.data-dir", shardsDir(cluster).toString());
                syncer.put("redissync.cluster.shards.server", RedisServer.binary().toString());
                syncer.put("redissync.cluster.endpoint-names", "localhost,127.0.0.1");
                syncer.put("redissync.certificates.cert-service-url", "https://127.0.0.1:" + ports.getProperty("cert-service.tls"));
                syncer.put("redissync.certificates.token", secrets.token(cluster));
                syncer.put("redissync.certificates.state-dir", layout.state().resolve("syncer-service-" + cluster).resolve("certs").toString());
                syncer.put("redissync.certificates.ca-file", layout.caCert().toString());
                Optional.ofNullable(System.getenv("SUITE_SYNCER_ACCEPTORS")).ifPresent(a -> syncer.put("redissync.cluster.acceptors", a));
                Optional.ofNullable(System.getenv("SUITE_CRDT_CONVERGENT")).ifPresent(v -> syncer.put("redissync.crdt.convergent", v));
                rest.add(service("syncer-service " + cluster, "syncer-service", p,
                        Integer.parseInt(ports.getProperty(cluster + ".syncer.management")), syncer));
            }
            start(rest);
            for (String cluster : clusterNames) {
                step("proxy certificate " + cluster, () -> {
                    Path file = layout.proxyCert(cluster);
                    awaitProxyCertificate("http://127.0.0.1:" + certPort + "/v1/cluster/certificates?cluster=" + cluster, file);
                    return file;
                }, Path::toString);
            }

            writeSuiteJson(bootstrap, apiPort, certPort, clusterNames, ports);
            System.out.printf("The suite is up (%.1f s).%n", (System.nanoTime() - t0) / 1e9);
            System.out.println("  API (crdb-coordinator): https://127.0.0.1:" + ports.getProperty("api.tls") + " (CA " + layout.caCert()
                    + "), user admin, password in "
                    + layout.state().resolve("secrets/admin-password"));
            System.out.println("  Cluster Manager UI:     https://127.0.0.1:" + ports.getProperty("api.tls") + "/ui/ (user admin, password in "
                    + layout.state().resolve("secrets/admin-password") + "; user viewer, password in "
                    + layout.state().resolve("secrets/viewer-password") + ")");
            System.out.println("  CLIs:                   crdb-coordinator/cli/bin/crdb-cli, crdb-coordinator/cli/bin/rladmin (they read suite.json)");
            System.out.println("  cert-service:           http://127.0.0.1:" + certPort + " (CA certificate: " + layout.caCert() + ")");
            System.out.println("  Kafka:                  " + bootstrap);
            for (String cluster : clusterNames) {
                System.out.println("  " + cluster + ": syncer-service http://127.0.0.1:" + ports.getProperty(cluster + ".syncer")
                        + ", bdbs' redis-servers in " + shardsDir(cluster)
                        + ", proxy_cert.pem " + layout.proxyCert(cluster));
            }
            System.out.println("  Description for scripts: " + layout.suiteJson());
            System.out.println("  Logs: " + layout.logs() + "    Stop: deploy/local/suite down");
        } catch (RuntimeException | Error e) {
            System.err.println("Stopping what was started.");
            stopAll(started);
            stopShards();
            clearProcesses();
            throw e instanceof StartupException se ? se : new StartupException(String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * Starts a service from its packaged jar in its own folder under {@code state/}; its settings go in
     * that folder's {@code config/application.properties} (mode 0600: it may hold tokens), never on the
     * command line where {@code ps} would show them.
     */
    /**
     * A service's Kafka client settings: its own user, SCRAM over TLS, trusting the broker's CA only; in a Kafka client
     * properties file of its own (0600) beside its settings.
     */
    private void kafkaClient(Map<String, String> config, String label, String user, String password, KafkaPki pki) {
        Path file = layout.state().resolve(label.replace(' ', '-')).resolve("config/kafka-client.properties");
        SuiteSecrets.writeProperties(file, KafkaUsers.clientProperties(user, password, pki.caPem()));
        config.put("redissync.kafka.client-properties-file", file.toString());
    }

    private static void markSecured(Path kafkaDir) {
        try {
            Files.writeString(kafkaDir.resolve("secured"), "SCRAM-SHA-512 over TLS, ACLs (docs/certificates.md)\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long this up's bootstrap tokens are accepted: {@code SUITE_TOKEN_TTL} (ISO-8601, positive), default an hour. */
    private static Duration tokenTtl() {
        String v = System.getenv("SUITE_TOKEN_TTL");
        if (v == null || v.isBlank()) {
            return Duration.ofHours(1);
        }
        try {
            Duration d = Duration.parse(v.strip());
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (java.time.format.DateTimeParseException e) {
            // said below
        }
        throw new StartupException("SUITE_TOKEN_TTL: '" + v + "' is not a positive ISO-8601 duration (e.g. PT1H)");
    }

    /** A service whose settings are written, to be started. */
    private record Service(String label, String module, String logName, Path workDir, int port, int managementPort) {
    }

    /** A started service, not known to be ready yet. */
    private record Starting(Service service, ManagedProcess process, String health, long startedAt) {
    }

    private Service service(String label, String module, int port, int managementPort, Map<String, String> props) {
        String logName = label.replace(' ', '-');
        Path workDir = layout.state().resolve(logName);
        Map<String, String> all = new LinkedHashMap<>(props);
        // the coordinator's one port is its HTTPS API (it has no plaintext listener); the others' their HTTP port
        all.put("crdb-coordinator".equals(module) ? "quarkus.http.ssl-port" : "quarkus.http.port", Integer.toString(port));
        all.put("quarkus.http.host", "127.0.0.1");
        // health, metrics and OpenAPI: the management interface, a port of its own
        all.put("quarkus.management.port", Integer.toString(managementPort));
        all.put("quarkus.management.host", "127.0.0.1");
        SuiteSecrets.writeProperties(workDir.resolve("config/application.properties"), all);
        return new Service(label, module, logName, workDir, port, managementPort);
    }

    /**
     * Starts {@code services} one after the other, each once the one before is ready, printing one line per service.
     * Every port is checked before any of them starts: a port in use is one readable line, and nothing of them runs.
     * (Started side by side, on 2 cores, each JVM's start took four times as long and the last was ready no sooner:
     * a start is CPU-bound.)
     */
    private void start(List<Service> services) {
        for (Service s : services) {
            for (int p : new int[] {s.port(), s.managementPort()}) {
                if (FreePorts.inUse(p)) {
                    throw new StartupException(s.label() + ": port " + p + " is already in use; stop what uses it or run "
                            + "`deploy/local/suite up --fresh` to choose new ports");
                }
            }
        }
        for (Service service : services) {
            Starting s = begin(service);
            System.out.printf("  %-28s ", s.service().label());
            System.out.flush();
            try {
                // A JVM's start is ~15 CPU seconds (class loading, and the JIT compiling it); on 2 busy cores (a
                // restart under load, in CI) that has taken 90 s of wall time. A crash is noticed at once either way.
                awaitHealthy(s.service().label(), s.process(), s.health(), Duration.ofSeconds(180));
            } catch (RuntimeException e) {
                System.out.println("FAILED");
                throw e;
            }
            System.out.printf("ready at http://127.0.0.1:%d (%.1f s)%n", s.service().port(), (System.nanoTime() - s.startedAt()) / 1e9);
        }
    }

    private Starting begin(Service s) {
        // The data plane (syncer-service) gets the optimising JIT; control-plane services start faster with C1 only.
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xms64m", "-Xmx384m"));
        if ("syncer-service".equals(s.module())) {
            cmd.addAll(List.of("-XX:+UseParallelGC", "-Xmx512m"));
            // extra JVM options for the data plane (profiling, JIT logs), split on whitespace
            Optional.ofNullable(System.getenv("SUITE_SYNCER_JAVA_OPTS")).map(String::strip).filter(o -> !o.isEmpty())
                    .ifPresent(o -> cmd.addAll(List.of(o.split("\\s+"))));
        } else {
            cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        }
        cmd.addAll(List.of("-jar", layout.serviceJar(s.module()).toString()));
        String health = "http://127.0.0.1:" + s.managementPort() + "/q/health/ready";
        long t0 = System.nanoTime();
        ManagedProcess p = ManagedProcess.start(s.label(), cmd, s.workDir(), layout.logs().resolve(s.logName() + ".log"), Map.of());
        record(new Running(s.logName(), p.pid(), health));
        return new Starting(s, p, health, t0);
    }

    private <T> T step(String label, java.util.function.Supplier<T> start, java.util.function.Function<T, String> where) {
        long t = System.nanoTime();
        System.out.printf("  %-28s ", label);
        System.out.flush();
        T result;
        try {
            result = start.get();
        } catch (RuntimeException e) {
            System.out.println("FAILED");
            throw e;
        }
        System.out.printf("ready at %s (%.1f s)%n", where.apply(result), (System.nanoTime() - t) / 1e9);
        return result;
    }

    private static void awaitHealthy(String label, ManagedProcess p, String url, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new StartupException(label + " exited during start; see " + p.logFile() + ":\n" + p.logTail(12));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.body();
            } catch (IOException e) {
                last = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted");
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new StartupException(label + " was not healthy within " + timeout.toSeconds() + " s (" + last + "); see " + p.logFile());
    }

    private void requireBuilt() {
        List<Path> missing = Stream.concat(Stream.of(layout.brokerJar()),
                Stream.of("cert-service", "crdb-coordinator", "syncer-service").map(layout::serviceJar))
                .filter(p -> !Files.isRegularFile(p)).toList();
        if (!missing.isEmpty()) {
            throw new StartupException("not built: " + missing + "; run ./mvnw -DskipTests install (deploy/local/suite does this for you)");
        }
    }

    private Properties loadPorts(int clusters) {
        Properties ports = new Properties();
        if (Files.exists(layout.ports())) {
            try (var in = Files.newInputStream(layout.ports())) {
                ports.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<String> keys = new ArrayList<>(List.of("kafka", "kafka.controller", "cert-service", "cert-service.tls", "cert-service.management",
                "crdb-coordinator.management", "api.tls"));
        for (int c = 0; c < clusters; c++) {
            keys.add(CLUSTER_NAMES[c] + ".syncer");
            keys.add(CLUSTER_NAMES[c] + ".syncer.management");
        }
        boolean changed = false;
        for (String k : keys) {
            if (!ports.containsKey(k)) {
                ports.setProperty(k, Integer.toString(FreePorts.next()));
                changed = true;
            }
        }
        if (changed) {
            try (var out = Files.newOutputStream(layout.ports())) {
                ports.store(out, "ports chosen by the first `suite up`; reused so addresses stay the same");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ports;
    }

    /**
     * Where cluster {@code cluster}'s syncer-service keeps its bdbs' redis-servers (data, configuration, sockets). Short:
     * a socket's path must fit the kernel's 107 bytes, or its Redis listens on a loopback port instead.
     */
    private Path shardsDir(String cluster) {
        return layout.state().resolve("redis").resolve(cluster);
    }

    /** {@code suite.json}: what scripts, tests and the CLIs read (with {@code jq}, or any JSON reader). Written with Jackson. */
    private void writeSuiteJson(String bootstrap, int apiPort, int certPort, List<String> clusterNames, Properties ports) {
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("url", "https://127.0.0.1:" + ports.getProperty("api.tls"));
        api.put("ui_url", "https://127.0.0.1:" + ports.getProperty("api.tls") + "/ui/");
        // what the API's certificate names (cert-service issues it to the control plane): the CLIs check it
        api.put("identity", org.redissync.identity.PeerIdentity.of("control-plane", "api"));
        api.put("management_url", "http://127.0.0.1:" + ports.getProperty("crdb-coordinator.management"));
        api.put("user", "admin");
        api.put("password_file", layout.state().resolve("secrets/admin-password").toString());
        api.put("viewer_user", "viewer");
        api.put("viewer_password_file", layout.state().resolve("secrets/viewer-password").toString());
        List<Map<String, Object>> clusters = new ArrayList<>();
        for (String name : clusterNames) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", name);
            c.put("proxy_cert", layout.proxyCert(name).toString());
            c.put("syncer_url", "http://127.0.0.1:" + ports.getProperty(name + ".syncer"));
            c.put("management_url", "http://127.0.0.1:" + ports.getProperty(name + ".syncer.management"));
            c.put("shards_dir", shardsDir(name).toString());
            clusters.add(c);
        }
        Map<String, Object> suite = new LinkedHashMap<>();
        suite.put("api", api);
        suite.put("crdb_cli", layout.repo().resolve("crdb-coordinator/cli/bin/crdb-cli").toString());
        suite.put("rladmin", layout.repo().resolve("crdb-coordinator/cli/bin/rladmin").toString());
        suite.put("cert_service", Map.of("url", "http://127.0.0.1:" + certPort, "tls_url", "https://127.0.0.1:" + ports.getProperty("cert-service.tls"),
                "management_url", "http://127.0.0.1:" + ports.getProperty("cert-service.management")));
        suite.put("ca_cert", layout.caCert().toString());
        suite.put("kafka", Map.of("bootstrap_servers", bootstrap, "security_protocol", "SASL_SSL", "sasl_mechanism", "SCRAM-SHA-512",
                "ca_cert", layout.state().resolve("kafka-pki/kafka-ca.pem").toString(),
                "admin_user", "admin", "admin_password_file", layout.state().resolve("secrets/kafka-admin").toString()));
        suite.put("home", layout.home().toString());
        suite.put("logs", layout.logs().toString());
        suite.put("clusters", clusters);
        try {
            Files.writeString(layout.suiteJson(), new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(suite) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the cluster's syncer-service has its proxy certificate (it asks cert-service by CSR
     * at start), then saves the chain, CA included, as the seed's {@code proxy_cert.pem}.
     */
    private static void awaitProxyCertificate(String url, Path file) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (saveProxyCertificate(http, url, file)) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
        throw new StartupException("no proxy certificate was issued within 60 s; see the syncer-service and cert-service logs in "
                + file.getParent());
    }

    /** One try: the cluster's current proxy certificate chain from cert-service ({@code url}) saved to {@code file}. */
    private static boolean saveProxyCertificate(HttpClient http, String url, Path file) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            var pem = r.statusCode() == 200 ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("proxy_cert") : null;
            if (pem != null && pem.isTextual()) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, pem.asText());
                return true;
            }
        } catch (IOException e) {
            // not there (yet)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted");
        }
        return false;
    }

    /**
     * {@code up} on a running suite: each cluster's {@code proxy_cert.pem} saved again as the cluster has it now. A rotation
     * or an operator's certificate since the start changed it, and clients given the file would refuse the endpoints.
     */
    private void refreshProxyCertificates() {
        if (!Files.exists(layout.suiteJson()) || !Files.exists(layout.ports())) {
            return;
        }
        try {
            var suite = new com.fasterxml.jackson.databind.ObjectMapper().readTree(layout.suiteJson().toFile());
            HttpClient http = HttpClient.newHttpClient();
            // the clusters this launcher names, and the files of its own layout: not paths or names read from a file
            // anyone may have edited (a proxy_cert path pointing elsewhere would be overwritten)
            List<String> known = List.of(CLUSTER_NAMES);
            Properties ports = new Properties();
            try (var in = Files.newInputStream(layout.ports())) {
                ports.load(in);
            }
            int certPort = Integer.parseInt(ports.getProperty("cert-service", "0"));
            for (var c : suite.path("clusters")) {
                String name = c.path("name").asText();
                if (!known.contains(name)) {
                    continue;
                }
                Path file = layout.proxyCert(name);
                String url = "http://127.0.0.1:" + certPort + "/v1/cluster/certificates?cluster=" + name;
                if (!saveProxyCertificate(http, url, file)) {
                    System.out.println("  (the proxy certificate of " + name + " could not be fetched now; " + file + " is as it was)");
                }
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("  (suite.json or run/ports.properties unreadable, proxy_cert.pem files not refreshed: " + e.getMessage() + ")");
        }
    }

    /** Saves what {@code url} answers (the CA certificate) to {@code file}. */
    private static void fetch(String url, Path file) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new StartupException("cert-service did not give its CA certificate (" + r.statusCode() + ")");
            }
            Files.writeString(file, r.body());
        } catch (IOException e) {
            throw new StartupException("cannot fetch " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted");
        }
    }

    // -------------------------------------------------------------------------------------- down

    void down(boolean wipe) {
        List<Running> recorded = readProcesses();
        List<Running> alive = recorded.stream().filter(r -> alive(r.pid())).toList();
        if (alive.isEmpty()) {
            System.out.println("Nothing of the suite is running.");
        } else {
            System.out.println("Stopping " + alive.size() + " processes...");
            stopAll(alive);
            System.out.println("Stopped.");
        }
        stopShards();
        clearProcesses();
        if (wipe) {
            deleteTree(layout.state());
            deleteTree(layout.logs());
            deleteTree(layout.home().resolve("run"));
            deleteTree(layout.home().resolve("clusters"));
            try {
                Files.deleteIfExists(layout.suiteJson());
                Files.deleteIfExists(layout.caCert());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.println("State wiped (" + layout.home() + ").");
        }
    }

    private static void stopAll(List<Running> processes) {
        // The services together (a stop is mostly waiting: for consumers to close, for the JVM to exit), the broker
        // after them: a service's last words (a status, leaving a group) still reach it.
        List<Running> services = processes.stream().filter(r -> !r.name().equals("kafka-broker")).toList();
        List<java.util.concurrent.CompletableFuture<Void>> stops = new ArrayList<>();
        for (Running r : services) {
            stops.add(java.util.concurrent.CompletableFuture.runAsync(() -> stop(r)));
        }
        stops.forEach(java.util.concurrent.CompletableFuture::join);
        processes.stream().filter(r -> r.name().equals("kafka-broker")).forEach(LocalSuite::stop);
    }

    private static void stop(Running r) {
        ManagedProcess.adopt(r.name(), r.pid(), Path.of("/dev/null")).ifPresent(p -> {
            p.stop(Duration.ofSeconds(20));
            System.out.println("  stopped " + r.name() + " (pid " + r.pid() + ")");
        });
    }

    /**
     * The bdbs' redis-servers, which their syncer-services leave running when they stop (so a restart of a service
     * keeps every bdb's data): each found by its pid file, and stopped only when its command line names its own
     * directory (Redis puts its socket's path in its title), with SIGTERM (the append-only file is flushed).
     */
    private void stopShards() {
        List<ProcessHandle> stopping = new ArrayList<>();
        Path all = layout.state().resolve("redis");
        if (!Files.isDirectory(all)) {
            return;
        }
        try (var clusters = Files.list(all)) {
            for (Path redis : clusters.filter(Files::isDirectory).toList()) {
                try (var dirs = Files.list(redis)) {
                    for (Path d : dirs.filter(Files::isDirectory).toList()) {
                        shardProcess(d).ifPresent(p -> {
                            p.destroy();
                            stopping.add(p);
                        });
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("  bdbs' redis-servers not all found: " + e.getMessage());
        }
        for (ProcessHandle p : stopping) {
            try {
                p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        if (!stopping.isEmpty()) {
            System.out.println("  stopped " + stopping.size() + " bdbs' redis-servers");
        }
    }

    private static Optional<ProcessHandle> shardProcess(Path dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim());
            Optional<ProcessHandle> p = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (p.isEmpty()) {
                return p;
            }
            String cmd = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), java.nio.charset.StandardCharsets.UTF_8);
            String port = Files.exists(dir.resolve("port")) ? ":" + Files.readString(dir.resolve("port")).trim() : null;
            return cmd.contains("redis") && (cmd.contains(dir.toString()) || port != null && cmd.contains(port)) ? p : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------------ status

    boolean status() {
        List<Running> recorded = readProcesses();
        if (recorded.isEmpty()) {
            System.out.println("The suite is not running.");
            return false;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        boolean allOk = true;
        for (Running r : recorded) {
            String state;
            if (!alive(r.pid())) {
                state = "STOPPED";
                allOk = false;
            } else if ("-".equals(r.health())) {
                state = "running";
            } else {
                state = health(http, r.health());
                allOk &= state.equals("ready");
            }
            System.out.printf("  %-28s pid %-8d %s%n", r.name(), r.pid(), state);
        }
        if (Files.exists(layout.suiteJson())) {
            System.out.println("  Description: " + layout.suiteJson());
        }
        return allOk;
    }

    private static String health(HttpClient http, String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? "ready" : "NOT READY";
        } catch (IOException e) {
            return "NOT ANSWERING";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    // ------------------------------------------------------------------------------------ restart

    /**
     * Restarts one service of the suite (after a crash, or to try a new build) with the same settings,
     * ports and state; {@code name} as {@code status} lists it, e.g. {@code syncer-service-cluster-b}.
     */
    void restart(String name) {
        List<Running> all = readProcesses();
        Running r = all.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() -> new StartupException(
                "no service '" + name + "' in this suite; `deploy/local/suite status` lists them"));
        String module = name.startsWith("syncer-service-") ? "syncer-service" : name;
        if (!List.of("syncer-service", "cert-service", "crdb-coordinator").contains(module)) {
            throw new StartupException(name + " is not a service; only cert-service, crdb-coordinator and syncer-service-<cluster> restart alone");
        }
        ManagedProcess.adopt(r.name(), r.pid(), Path.of("/dev/null")).ifPresent(p -> {
            p.stop(Duration.ofSeconds(20));
            System.out.println("  stopped " + name + " (pid " + r.pid() + ")");
        });
        Path workDir = layout.state().resolve(name);
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(workDir.resolve("config/application.properties"))) {
            props.load(in);
        } catch (IOException e) {
            throw new StartupException("cannot read the settings of " + name + ": " + e.getMessage());
        }
        try {
            Files.writeString(layout.processes(), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        all.stream().filter(x -> !x.name().equals(name)).forEach(this::record);
        start(List.of(new Service(name, module, name, workDir,
                Integer.parseInt(props.getProperty("quarkus.http.ssl-port", props.getProperty("quarkus.http.port"))),
                Integer.parseInt(props.getProperty("quarkus.management.port")))));
    }

    // ----------------------------------------------------------------------------------- helpers

    private synchronized void record(Running r) {
        started.add(r);
        try {
            Files.createDirectories(layout.processes().getParent());
            Files.writeString(layout.processes(), r.name() + " " + r.pid() + " " + r.health() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Running> readProcesses() {
        if (!Files.exists(layout.processes())) {
            return List.of();
        }
        try {
            return Files.readAllLines(layout.processes()).stream().filter(l -> !l.isBlank()).map(l -> l.split(" "))
                    .map(a -> new Running(a[0], Long.parseLong(a[1]), a[2])).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void clearProcesses() {
        try {
            Files.deleteIfExists(layout.processes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void fail(String message) {
        System.err.println("suite: " + message);
        System.exit(1);
    }
}
