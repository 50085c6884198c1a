package org.redissync.syncer.shard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.plumbing.Coalescer;
import org.jboss.logging.Logger;
import org.redissync.events.BdbConfigEvent;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.SyncerStatusEvent.StreamPosition;
import org.redissync.events.SyncerStatusEvent.WritesPaused;
import org.redissync.events.RedisAddress;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.syncer.channel.BackendConnection;
import org.redissync.syncer.config.SyncerConfig;
import org.redissync.syncer.crdt.CrdtLibrary;
import org.redissync.syncer.events.SyncerEvents;

/**
 * Runs the redis-server of every bdb of this cluster that has no external {@code backend}, as Redis Enterprise's node
 * runs a database's shards: started when the bdb appears on {@code bdb.config}, sized and configured from it (changes
 * applied live with {@code CONFIG SET}), restarted with backoff when it dies, adopted when this service restarts while it
 * runs on, stopped and wiped when the bdb is deleted. Each listens on a Unix socket of mode 0700 in its own directory (a
 * loopback port without Vert.x's native transport) and lets nobody in without a password only this service derives.
 * Reported on {@code syncer.status} as {@link ShardStatus}. All changes happen on one thread, in order. Design note:
 * {@code SHARDS.md} beside this class.
 */
@Singleton
public class ShardManager {

    private static final Logger LOG = Logger.getLogger(ShardManager.class);
    /** Linux's {@code sun_path}: a longer socket path falls back to a loopback port. */
    private static final int MAX_SOCKET_PATH = 107;
    /** A shard that ran this long before dying restarts after the shortest wait again. */
    private static final Duration STABLE = Duration.ofSeconds(30);

    private final SyncerEvents events;
    private final SyncerConfig.Shards config;
    private final String cluster;
    private final boolean convergent;
    private final Clock clock;
    private final boolean unixSockets;
    private final Map<Long, Shard> shards = new HashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> daemon(r, "shard-manager"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "shard-restarts"));
    private final Coalescer reconciles = new Coalescer(worker, this::reconcile);
    private volatile Path dataDir;
    private volatile ShardSecrets secrets;
    private volatile boolean stopping;
    private boolean orphansChecked;

    ShardManager(SyncerEvents events, SyncerConfig config, Vertx vertx, Clock clock) {
        this.events = events;
        this.config = config.cluster().shards();
        this.cluster = config.cluster().name();
        this.convergent = config.crdt().convergent();
        this.clock = clock;
        this.unixSockets = vertx.isNativeTransportEnabled();
        events.bdbs().onChange((key, e, offset) -> reconcileSoon());
        events.crdbs().onChange((key, e, offset) -> reconcileSoon()); // an instance joining or leaving pauses writes
    }

    void start(@Observes StartupEvent ignored) {
        init();
        events.streams().caughtUp().thenRun(this::reconcileSoon);
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopping = true;
        timer.shutdownNow();
        if (config.stopOnShutdown()) {
            try {
                worker.submit(this::stopAll).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("shards not all stopped: %s", e.getMessage());
            }
        }
        worker.shutdownNow();
    }

    /** Where bdb {@code b}'s data lives and how to log in there: its shard, or the external Redis it names. */
    public Backend backend(BdbConfigured b) {
        if (!b.managed()) {
            return Backend.external(RedisAddress.parse(b.backend()));
        }
        init();
        // asked for every bdb on every re-plan of channels and endpoints: its address (a file check) and two HMACs once
        return backends.computeIfAbsent(b.uid(), uid -> new Backend(address(uid), secrets.password(uid, "default"),
                secrets.password(uid, Backend.ADMIN_USER), secrets.password(uid, Backend.REPLICA_USER)));
    }

    /** Each managed bdb's backend, as made once; forgotten when its directory is wiped (a new one may get another port). */
    private final Map<Long, Backend> backends = new java.util.concurrent.ConcurrentHashMap<>();

    /** The process id of bdb {@code uid}'s redis-server, when one runs (tests, diagnostics). */
    public Optional<Long> pid(long uid) {
        try {
            return worker.submit(() -> Optional.ofNullable(shards.get(uid)).map(s -> s.process).filter(ProcessHandle::isAlive)
                    .map(ProcessHandle::pid)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The directory bdb {@code uid}'s shard keeps its files in. */
    public Path directory(long uid) {
        init();
        return dataDir.resolve("bdb-" + uid);
    }

    private synchronized void init() {
        if (secrets != null) {
            return;
        }
        Path dir = Path.of(config.dataDir()).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("shard data directory " + dir + ": " + e.getMessage(), e);
        }
        dataDir = dir;
        secrets = ShardSecrets.in(dir);
    }

    /** The socket in the bdb's directory, or a loopback port kept in it (chosen once). */
    private synchronized RedisAddress address(long uid) {
        Path dir = directory(uid);
        Path socket = dir.resolve("redis.sock");
        if (unixSockets && socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return RedisAddress.unix(socket.toString());
        }
        Path portFile = dir.resolve("port");
        try {
            if (Files.exists(portFile)) {
                return RedisAddress.tcp("127.0.0.1", Integer.parseInt(Files.readString(portFile).trim()));
            }
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            createPrivateDirectory(dir);
            Files.writeString(portFile, Integer.toString(port));
            return RedisAddress.tcp("127.0.0.1", port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ reconcile

    private void reconcileSoon() {
        if (events.streams().caughtUp().isDone() && !stopping) {
            reconciles.trigger();
        }
    }

    private void reconcile() {
        if (stopping) {
            return;
        }
        Map<Long, BdbConfigured> wanted = new HashMap<>();
        for (BdbConfigEvent e : events.bdbs().all().values()) {
            if (e instanceof BdbConfigured b && b.cluster().equals(cluster) && b.managed()) {
                wanted.put(b.uid(), b);
            }
        }
        for (Shard s : List.copyOf(shards.values())) {
            if (!wanted.containsKey(s.uid)) {
                remove(s);
            }
        }
        if (!orphansChecked) {
            orphansChecked = true;
            wipeOrphans(wanted);
        }
        List<Shard> launched = new ArrayList<>();
        for (BdbConfigured b : wanted.values()) {
            Shard s = shards.computeIfAbsent(b.uid(), uid -> new Shard(uid, directory(uid)));
            s.bdb = b;
            if (s.process != null && s.process.isAlive()) {
                if (s.state == ShardState.RUNNING) {
                    applyLive(s);
                    applyPause(s);
                }
                continue;
            }
            if (s.retry != null) {
                continue; // a restart is due; it will use the bdb as it is then
            }
            if (!adopt(s) && launch(s)) {
                launched.add(s);
            }
        }
        for (Shard s : launched) { // launched together, awaited together: 100 bdbs do not start one after the other
            awaitReady(s);
        }
    }

    /** A redis-server of a previous run of this service, still running and ours (its password works): kept. */
    private boolean adopt(Shard s) {
        Optional<ProcessHandle> running = readPid(s.dir).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (running.isEmpty()) {
            return false;
        }
        ProcessHandle p = running.get();
        if (!isOurs(p, s)) {
            return false;
        }
        try (BackendConnection c = BackendConnection.admin(backend(s.bdb), 2000)) {
            if (!"PONG".equals(c.call("PING"))) {
                throw new IOException("no PONG");
            }
        } catch (IOException e) {
            LOG.warnf("bdb %d: redis-server %d of a previous run does not answer (%s); restarting it", s.uid, p.pid(), e.getMessage());
            kill(p);
            return false;
        }
        s.process = p;
        watch(s, p);
        LOG.infof("bdb %d: adopted its running redis-server (pid %d)", s.uid, p.pid());
        s.applied = null; // its live settings are not known: all are set again
        return configure(s);
    }

    /** Starts bdb {@code s}'s redis-server; false (and a retry scheduled) when it cannot even be started. */
    private boolean launch(Shard s) {
        try {
            createPrivateDirectory(s.dir);
            Backend backend = backend(s.bdb);
            ShardSettings settings = ShardSettings.of(s.bdb);
            Path conf = s.dir.resolve("redis.conf");
            Files.writeString(conf, settings.configFile(s.uid, s.dir, backend.address(), ShardSecrets.hashed(backend.adminPassword()),
                    config.replBacklogSize()));
            if (backend.address().isUnix()) {
                Files.deleteIfExists(Path.of(backend.address().socketPath()));
            }
            Process p = new ProcessBuilder(config.server(), conf.toString()).directory(s.dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(s.dir.resolve("redis.out").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            s.process = p.toHandle();
            s.exitCode = p;
            s.state = ShardState.STARTING;
            s.startedAt = clock.instant();
            watch(s, s.process);
            report(s, s.bdb.generation() - 1);
            return true;
        } catch (IOException | RuntimeException e) {
            failed(s, "redis-server not started: " + e.getMessage());
            return false;
        }
    }

    /** Waits until the new redis-server answers, then configures it. */
    private void awaitReady(Shard s) {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            ProcessHandle p = s.process;
            if (p == null || !p.isAlive()) {
                failed(s, "redis-server exited at start" + exitDetail(s) + logTail(s.dir));
                return;
            }
            try (BackendConnection c = BackendConnection.admin(backend(s.bdb), 1000)) {
                Object pong = c.call("PING");
                if ("PONG".equals(pong)) {
                    s.applied = ShardSettings.of(s.bdb);
                    configure(s);
                    return;
                }
                last = String.valueOf(pong);
                if (pong instanceof BackendConnection.Error e && e.message().startsWith("LOADING")) {
                    deadline = Math.max(deadline, System.nanoTime() + config.startTimeout().toNanos()); // a large AOF: loading is progress
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        kill(s.process);
        failed(s, "redis-server did not answer within " + config.startTimeout().toMillis() + " ms (" + last + ")" + logTail(s.dir));
    }

    /**
     * Opens the shard to its clients: the {@code default} user gets its password and rules ({@link ShardAcl}), then is
     * switched on; the live settings are brought to the bdb's. Marks it running.
     */
    private boolean configure(Shard s) {
        Backend backend = backend(s.bdb);
        try (BackendConnection c = BackendConnection.admin(backend, 5000)) {
            long pause = pauseGeneration(s.bdb);
            if (convergent && s.bdb.crdbGuid() != null) {
                loadLibrary(c); // crdt/CRDT.md: before clients are let in
                adopt(s, c);
            }
            setClientUser(c, backend, pause > 0);
            setReplicaUser(c, backend);
            s.paused = pause > 0 ? pausedAt(c, pause) : null;
            applySettings(s, c);
        } catch (IOException e) {
            kill(s.process);
            failed(s, "redis-server not configured: " + e.getMessage());
            return false;
        }
        s.state = ShardState.RUNNING;
        s.lastError = null;
        s.runningSince = clock.instant();
        report(s, s.bdb.generation());
        LOG.infof("bdb %d: redis-server running (pid %d, %s, maxmemory %d, %s, persistence %s)", s.uid, s.process.pid(),
                backend.address(), s.applied.maxmemory(), s.applied.policy(), s.applied.persistence());
        return true;
    }

    /**
     * The {@code default} user's password and rules in one {@code ACL SETUSER}, which Redis applies all or nothing: an
     * adopted redis-server's clients never see a moment without their permissions (the rules used to be applied one by
     * one after an {@code off}). A rule naming a command this Redis does not know is dropped, and the rest sent again.
     */
    private static void setClientUser(BackendConnection c, Backend backend, boolean readOnly) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ACL", "SETUSER", "default", "reset", ShardSecrets.hashed(backend.clientPassword())));
        argv.addAll(ShardAcl.clientRules());
        if (readOnly) {
            argv.add("-@write");
        }
        argv.add("on");
        while (true) {
            Object r = c.call(argv.toArray(String[]::new));
            if (!(r instanceof BackendConnection.Error e)) {
                return;
            }
            String unknown = ShardAcl.unknownRule(e.message());
            if (unknown == null || !argv.remove(unknown)) {
                throw new IOException("ACL SETUSER default: " + e.message());
            }
            LOG.debugf("ACL rule %s skipped: this Redis does not know the command", unknown);
        }
    }

    /**
     * The convergence library, replaced by this service's version. Redis refuses {@code FUNCTION LOAD} above
     * {@code maxmemory}: a full instance gets it with the limit lifted for that one command (clients are not let in
     * yet), then the limit back, so a full CRDB instance that restarts is not refused for good.
     */
    private static void loadLibrary(BackendConnection c) throws IOException {
        Object r = c.call("FUNCTION", "LOAD", "REPLACE", CrdtLibrary.source());
        if (!(r instanceof BackendConnection.Error e && e.message().startsWith("OOM"))) {
            check(r);
            return;
        }
        Object got = c.call("CONFIG", "GET", "maxmemory");
        if (!(got instanceof List<?> l) || l.size() != 2 || !(l.get(1) instanceof byte[] limit)) {
            throw new IOException("CONFIG GET maxmemory: unexpected reply " + got);
        }
        check(c.call("CONFIG", "SET", "maxmemory", "0"));
        try {
            check(c.call("FUNCTION", "LOAD", "REPLACE", CrdtLibrary.source()));
        } finally {
            check(c.call("CONFIG", "SET", "maxmemory", new String(limit, java.nio.charset.StandardCharsets.US_ASCII)));
        }
    }

    /**
     * Keys written before the library ran on this instance (a CRDB that ran without convergence) get their state, each
     * written again with what it holds and sent to the peers ({@code redissync_adopt}, crdt/CRDT.md "Adoption"), before
     * clients are let in: else a write would start from nothing and a full sync would not carry them. Nothing to do
     * (a scan that finds a state for every key) on every later start.
     */
    private void adopt(Shard s, BackendConnection c) throws IOException {
        String cursor = "0";
        long adopted = 0;
        long uncovered = 0;
        do {
            Object r = c.call("FCALL", CrdtLibrary.ADOPT, "0", cluster, Long.toString(clock.millis()), cursor, "100");
            if (r instanceof BackendConnection.Error e) {
                // e.g. OOM on a full instance: the instance still serves (reads, and writes to keys with a state); the
                // next start tries again. Not a reason to keep it down.
                LOG.warnf("bdb %d: keys written before convergence not adopted (%d so far): %s", s.uid, adopted, e.message());
                return;
            }
            if (!(r instanceof List<?> l) || l.size() != 3 || !(l.get(0) instanceof byte[] next)) {
                throw new IOException("FCALL " + CrdtLibrary.ADOPT + ": unexpected reply " + r);
            }
            cursor = new String(next, java.nio.charset.StandardCharsets.US_ASCII);
            adopted += (Long) l.get(1);
            uncovered += (Long) l.get(2);
        } while (!"0".equals(cursor));
        if (adopted > 0 || uncovered > 0) {
            LOG.infof("bdb %d: %d key(s) written before convergence adopted (state made, sent to the peers); %d of types "
                    + "convergence does not cover left as they are (readable, not writable)", s.uid, adopted, uncovered);
        }
    }

    /** The replication-only user ({@link Backend#REPLICA_USER}, {@link ShardAcl#replicaRules}) with its password. */
    private static void setReplicaUser(BackendConnection c, Backend backend) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ACL", "SETUSER", Backend.REPLICA_USER, "reset",
                ShardSecrets.hashed(backend.replicaPassword())));
        argv.addAll(ShardAcl.replicaRules());
        argv.add("on");
        check(c.call(argv.toArray(String[]::new)));
    }

    /**
     * The CRDB generation at which bdb {@code b}'s instance started joining or leaving its CRDB, while it does (its
     * clients' writes are then refused), else 0.
     */
    private long pauseGeneration(BdbConfigured b) {
        if (b.crdbGuid() == null || !(events.crdbs().get(b.crdbGuid()).orElse(null) instanceof CrdbConfigured crdb)) {
            return 0;
        }
        return crdb.instances().stream().filter(i -> i.bdbUid() == b.uid() && i.membership() != CrdbConfigEvent.Membership.ACTIVE)
                .findFirst().map(i -> crdb.generation()).orElse(0L);
    }

    /**
     * Pauses or resumes the clients' writes as the bdb's CRDB instance joins, leaves or is active. A pause refuses every
     * write command of the {@code default} user ({@code -@write}: scripts' writes too), closes its connections (a
     * blocked write cannot complete later), then reads where the shard's replication stream stands: everything
     * clients wrote is before that position. Reported on {@code ShardStatus.writes_paused}: a leaving instance is removed
     * once every peer's channel from it has applied up to there.
     */
    private void applyPause(Shard s) {
        long want = pauseGeneration(s.bdb);
        if (want == 0 && s.paused == null) {
            return;
        }
        if (want > 0 && s.paused != null) {
            if (s.paused.crdbGeneration() != want) { // a later generation of the same change: the same pause
                s.paused = new WritesPaused(want, s.paused.at());
                report(s, s.reported);
            }
            return;
        }
        Backend backend = backend(s.bdb);
        try (BackendConnection c = BackendConnection.admin(backend, 5000)) {
            setClientUser(c, backend, want > 0);
            s.paused = want > 0 ? pausedAt(c, want) : null;
            LOG.infof("bdb %d: clients' writes %s", s.uid, want > 0 ? "paused (its CRDB instance joins or leaves), stream at "
                    + s.paused.at().replId() + " " + s.paused.at().offset() : "resumed");
            report(s, s.reported);
        } catch (IOException e) {
            s.lastError = "writes not " + (want > 0 ? "paused" : "resumed") + ": " + e.getMessage();
            LOG.warnf("bdb %d: %s", s.uid, s.lastError);
            report(s, s.reported);
        }
    }

    /** After the ACL refuses writes: the clients' connections closed, and where the stream stands. */
    private static WritesPaused pausedAt(BackendConnection c, long generation) throws IOException {
        check(c.call("CLIENT", "KILL", "USER", "default"));
        Object info = c.call("INFO", "replication");
        if (!(info instanceof byte[] b)) {
            throw new IOException("INFO replication: " + info);
        }
        String replId = null;
        long offset = -1;
        for (String line : new String(b, StandardCharsets.UTF_8).split("\r\n")) {
            if (line.startsWith("master_replid:")) {
                replId = line.substring("master_replid:".length()).trim();
            } else if (line.startsWith("master_repl_offset:")) {
                offset = Long.parseLong(line.substring("master_repl_offset:".length()).trim());
            }
        }
        if (replId == null || offset < 0) {
            throw new IOException("INFO replication has no master_replid/master_repl_offset");
        }
        return new WritesPaused(generation, new StreamPosition(replId, offset));
    }

    /** A changed bdb: its new settings applied to the running redis-server. */
    private void applyLive(Shard s) {
        if (s.reported == s.bdb.generation() && s.lastError == null) {
            return;
        }
        if (s.lastError == null && ShardSettings.of(s.bdb).equals(s.applied)) {
            report(s, s.bdb.generation()); // a change of other fields (TLS, certificates): nothing to tell Redis
            return;
        }
        try (BackendConnection c = BackendConnection.admin(backend(s.bdb), 5000)) {
            applySettings(s, c);
            s.lastError = null;
            report(s, s.bdb.generation());
        } catch (IOException e) {
            s.lastError = "settings not applied: " + e.getMessage();
            LOG.warnf("bdb %d: %s", s.uid, s.lastError);
            report(s, s.reported);
        }
    }

    private void applySettings(Shard s, BackendConnection c) throws IOException {
        ShardSettings next = ShardSettings.of(s.bdb);
        List<String> args = next.configSet(s.applied);
        if (!args.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("CONFIG", "SET"));
            argv.addAll(args);
            check(c.call(argv.toArray(String[]::new)));
            LOG.infof("bdb %d: redis-server reconfigured: %s", s.uid, args);
        }
        s.applied = next;
        Backend backend = backend(s.bdb);
        Files.writeString(s.dir.resolve("redis.conf"), next.configFile(s.uid, s.dir, backend.address(),
                ShardSecrets.hashed(backend.adminPassword()), config.replBacklogSize())); // a restart keeps them
    }

    // ------------------------------------------------------------------------------------------------ failures

    private void watch(Shard s, ProcessHandle p) {
        p.onExit().thenRun(() -> {
            if (!worker.isShutdown()) {
                worker.execute(() -> exited(s, p));
            }
        });
    }

    private void exited(Shard s, ProcessHandle p) {
        if (s.process != p || s.deleted || stopping) {
            return;
        }
        s.process = null;
        if (s.state != ShardState.RUNNING) {
            return; // a start that failed: awaitReady reports it
        }
        s.restarts++;
        s.lastError = "redis-server (pid " + p.pid() + ") exited" + exitDetail(s);
        LOG.warnf("bdb %d: %s; restarting it", s.uid, s.lastError);
        s.state = ShardState.RECOVERING;
        report(s, s.reported);
        scheduleRestart(s);
    }

    private void failed(Shard s, String reason) {
        s.lastError = reason;
        s.state = ShardState.FAILED;
        s.process = null;
        LOG.warnf("bdb %d: %s", s.uid, reason);
        report(s, s.reported);
        scheduleRestart(s);
    }

    private void scheduleRestart(Shard s) {
        if (s.deleted || stopping || s.retry != null) {
            return;
        }
        if (s.runningSince != null && Duration.between(s.runningSince, clock.instant()).compareTo(STABLE) > 0) {
            s.failures = 0;
        }
        long delay = Math.min(config.restartMax().toMillis(), config.restartInitial().toMillis() << Math.min(s.failures, 20));
        s.failures++;
        try {
            s.retry = timer.schedule(() -> worker.execute(() -> {
                s.retry = null;
                if (s.deleted || stopping) {
                    return;
                }
                if (!adopt(s) && launch(s)) {
                    awaitReady(s);
                }
            }), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    // ------------------------------------------------------------------------------------------------ stop, wipe

    /** The bdb is gone: its redis-server is stopped and its data wiped. */
    private void remove(Shard s) {
        s.deleted = true;
        if (s.retry != null) {
            s.retry.cancel(false);
        }
        kill(s.process);
        wipe(s.dir);
        backends.remove(s.uid);
        shards.remove(s.uid);
        s.state = ShardState.DELETED;
        s.process = null;
        s.lastError = null;
        report(s, s.bdb.generation() + 1);
        LOG.infof("bdb %d: redis-server stopped, data wiped", s.uid);
    }

    /** Directories of bdbs no longer on {@code bdb.config} (deleted while this service was down). */
    private void wipeOrphans(Map<Long, BdbConfigured> wanted) {
        try (Stream<Path> dirs = Files.list(dataDir)) {
            for (Path d : dirs.toList()) {
                String n = d.getFileName().toString();
                if (!n.matches("bdb-\\d{1,18}") || wanted.containsKey(Long.parseLong(n.substring(4)))) {
                    continue;
                }
                readPid(d).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).filter(p -> commandLine(p).contains(d.toString()))
                        .ifPresent(ShardManager::kill);
                wipe(d);
                backends.remove(Long.parseLong(n.substring(4)));
                LOG.infof("%s: its bdb is gone; stopped and wiped", d);
            }
        } catch (IOException e) {
            LOG.warnf("shard directories not checked: %s", e.getMessage());
        }
    }

    private void stopAll() {
        for (Shard s : shards.values()) {
            if (s.retry != null) {
                s.retry.cancel(false);
            }
            ProcessHandle p = s.process;
            if (p != null && p.isAlive()) {
                p.destroy(); // SIGTERM: Redis shuts down cleanly (append-only file flushed)
            }
        }
        for (Shard s : shards.values()) {
            ProcessHandle p = s.process;
            if (p != null) {
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static void kill(ProcessHandle p) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        try {
            p.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("redis-server %d did not exit within 10 s of SIGKILL", p.pid());
        }
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warnf("%s not wiped: %s", dir, e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A process is ours when its command line names our directory or address (Redis puts its listener in its title). */
    private boolean isOurs(ProcessHandle p, Shard s) {
        String cmd = commandLine(p);
        RedisAddress a = backend(s.bdb).address();
        return cmd.contains("redis") && (cmd.contains(s.dir.toString()) || !a.isUnix() && cmd.contains(":" + a.port()));
    }

    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    private static Optional<Long> readPid(Path dir) {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String exitDetail(Shard s) {
        Process p = s.exitCode;
        return p != null && !p.isAlive() ? " with status " + p.exitValue() : "";
    }

    /** The last lines of the shard's log, for a failure's reason. */
    private static String logTail(Path dir) {
        for (String f : List.of("redis.log", "redis.out")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(f)).stream().filter(l -> !l.isBlank()).toList();
                if (!lines.isEmpty()) {
                    return ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
                }
            } catch (IOException e) {
                // next
            }
        }
        return "";
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private static void check(Object reply) throws IOException {
        if (reply instanceof BackendConnection.Error e) {
            throw new IOException(e.message());
        }
    }

    private void report(Shard s, long generation) {
        s.reported = generation;
        ProcessHandle p = s.process;
        events.streams().publisher().publish(new ShardStatus(ShardStatus.VERSION, cluster, s.uid, Math.max(0, generation), s.state,
                s.lastError, p != null && p.isAlive() ? p.pid() : 0, s.restarts, clock.instant(), s.paused));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One bdb's redis-server; touched only on the manager's thread. */
    private static final class Shard {
        final long uid;
        final Path dir;
        BdbConfigured bdb;
        ShardSettings applied;
        ProcessHandle process;
        /** The process when this service started it (its exit status can be read). */
        Process exitCode;
        ShardState state = ShardState.STARTING;
        String lastError;
        long restarts;
        int failures;
        long reported = -1;
        Instant startedAt;
        Instant runningSince;
        ScheduledFuture<?> retry;
        boolean deleted;
        /** Clients' writes refused since (its CRDB instance joins or leaves), or null. */
        WritesPaused paused;

        Shard(long uid, Path dir) {
            this.uid = uid;
            this.dir = dir;
        }
    }
}
