package org.redissync.coordinator.bdb;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.coordinator.state.DesiredState;
import org.redissync.coordinator.state.TrustSets;
import org.redissync.coordinator.task.TaskProgress;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.BdbDeleted;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.CrdbDeleted;
import org.redissync.events.SuiteEvent;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;
import org.redissync.events.SyncerStatusEvent.EndpointStatus;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.events.SyncerStatusEvent.SyncerHeartbeat;
import org.redissync.events.TlsMode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The bdb API's logic: create, update (partial), delete, and the RE view of each bdb with its live status. */
@Singleton
public class BdbService {

    private static final Logger LOG = Logger.getLogger(BdbService.class);

    private final DesiredState state;
    private final CoordinatorEvents events;
    private final Clock clock;

    BdbService(DesiredState state, CoordinatorEvents events, Clock clock, ClientKeys clientKeys) {
        this.clientKeys = clientKeys;
        this.state = state;
        this.events = events;
        this.clock = clock;
    }

    private final ClientKeys clientKeys;

    public List<ObjectNode> list() {
        return state.bdbs().values().stream().map(this::render).toList();
    }

    public ObjectNode get(long uid) {
        return render(require(uid));
    }

    public ObjectNode create(String body, boolean dryRun) {
        ObjectNode request = BdbJson.body(body);
        return state.change(() -> {
            ObjectNode fields = BdbJson.overlay(JsonNodeFactory.instance.objectNode(), request);
            if (!fields.hasNonNull("cluster")) {
                fields.put("cluster", state.defaultCluster("cluster"));
            }
            BdbSpec spec = BdbJson.parse(fields, clock.instant(), Set.of());
            state.cluster(spec.cluster());
            long uid = requestedUid(request).orElseGet(state::nextBdbUid);
            BdbConfigured b = place(uid, 1, spec, null, Set.of());
            checkSources(b);
            b = withClientKeys(b, null, spec, dryRun);
            if (dryRun) {
                return render(b);
            }
            state.write(withTrust(List.of(b)));
            LOG.infof("created bdb %d '%s' on %s, endpoint port %d, backend %s", uid, b.name(), b.cluster(), b.port(), b.backend());
            return render(state.bdb(uid).orElseThrow());
        });
    }

    /**
     * RE's optional {@code uid} on create: a positive integer that no bdb has (or had: a deleted bdb's uid stays
     * taken, so nothing that still follows the old bdb mistakes the new one for it).
     */
    private Optional<Long> requestedUid(ObjectNode request) {
        JsonNode v = request.get("uid");
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
            throw new ApiException(ApiError.INVALID_VALUE, "uid: a positive integer expected");
        }
        if (state.uidEverUsed(v.asLong())) {
            throw new ApiException(ApiError.UID_EXISTS, "uid: bdb " + v.asLong() + " exists or existed; leave uid out to get a new one");
        }
        return Optional.of(v.asLong());
    }

    public ObjectNode update(long uid, String body, boolean dryRun) {
        ObjectNode request = BdbJson.body(body);
        if (request.hasNonNull("uid") && !(request.get("uid").canConvertToLong() && request.get("uid").asLong() == uid)) {
            throw new ApiException(ApiError.INVALID_VALUE, "uid: a bdb's uid cannot be changed");
        }
        return state.change(() -> {
            BdbConfigured current = require(uid);
            if (current.crdbGuid() != null && state.crdb(current.crdbGuid()).map(CrdbConfigured::membershipChanging).orElse(false)) {
                throw new ApiException(ApiError.BUSY, "bdb " + uid + " is an instance of CRDB " + current.crdbGuid()
                        + ", which an instance is joining or leaving; retry once that task is done");
            }
            BdbSpec spec = BdbJson.parse(BdbJson.overlay(render(current), request), clock.instant(),
                    Set.copyOf(current.tls().clientCerts()));
            if (!current.cluster().equals(spec.cluster())) {
                throw new ApiException(ApiError.INVALID_CONFIGURATION, "cluster: a bdb cannot move to another cluster");
            }
            BdbConfigured next = place(uid, current.generation() + 1, spec, current, Set.of());
            checkSources(next);
            next = withClientKeys(next, current, spec, dryRun);
            if (next.equals(withGeneration(current, next.generation(), next))) {
                return render(current);
            }
            Optional<CrdbConfigured> crdb = crdbFollowing(next);
            if (dryRun) {
                return render(next);
            }
            List<SuiteEvent> out = new ArrayList<>(crdb.isPresent() ? withTrustAround(List.of(next), crdb.get()) : withTrust(List.of(next)));
            crdb.ifPresent(out::add);
            state.write(out);
            LOG.infof("updated bdb %d to generation %d", uid, next.generation());
            return render(state.bdb(uid).orElseThrow());
        });
    }

    /**
     * A CRDB instance's {@code tls_mode} decides whether the channels that pull from it use TLS (RE's REST path for
     * Active-Active TLS). The CRDB's {@code encryption} follows its instances: true exactly when every one is at least
     * {@code replica_ssl}. The CRDB as it becomes with {@code next}, when that changes its {@code encryption}.
     */
    private Optional<CrdbConfigured> crdbFollowing(BdbConfigured next) {
        if (next.crdbGuid() == null) {
            return Optional.empty();
        }
        return state.crdb(next.crdbGuid()).flatMap(c -> {
            boolean all = c.instances().stream().allMatch(i -> (i.bdbUid() == next.uid() ? Optional.of(next) : state.bdb(i.bdbUid()))
                    .map(b -> b.tls().tlsMode() != TlsMode.DISABLED).orElse(false));
            if (all == c.encryption()) {
                return Optional.empty();
            }
            return Optional.of(new CrdbConfigured(CrdbConfigured.VERSION, c.guid(), c.generation() + 1, c.name(), all,
                    c.causalConsistency(), c.defaultDbConfig(), c.instances(), c.forceCounter(), clock.instant()));
        });
    }

    /**
     * An instance's TLS change is applied when every channel into and out of it that has reported is on TLS exactly when
     * {@link CrdbConfigured#channelTls} says so; null then, else the first one that is not.
     */
    private String channelTlsPending(BdbConfigured b, Map<String, SyncerStatusEvent> status) {
        Optional<CrdbConfigured> crdb = state.crdb(b.crdbGuid());
        if (crdb.isEmpty()) {
            return null;
        }
        for (var peer : crdb.get().instances()) {
            if (peer.cluster().equals(b.cluster())) {
                continue;
            }
            BdbConfigured other = state.bdb(peer.bdbUid()).orElse(null);
            for (boolean in : new boolean[] {true, false}) {
                String from = in ? peer.cluster() : b.cluster();
                String to = in ? b.cluster() : peer.cluster();
                SyncerStatusEvent e = status.get(SyncerStatusEvent.channelKey(to, SyncerStatusEvent.crdbChannelId(b.crdbGuid(), from, to)));
                if (e instanceof ChannelStatus c) {
                    String mismatch = TaskProgress.tlsMismatch(c, crdb.get().channelTls(in ? other : b));
                    if (mismatch != null) {
                        return "channel " + from + " -> " + to + " " + mismatch + (c.lastError() != null ? " (" + c.lastError() + ")" : "");
                    }
                }
            }
        }
        return null;
    }

    public void delete(long uid) {
        state.change(() -> {
            BdbConfigured current = require(uid);
            if (current.crdbGuid() != null) {
                throw new ApiException(ApiError.INVALID_CONFIGURATION, "bdb " + uid + " is an instance of CRDB " + current.crdbGuid()
                        + ": delete the CRDB instead");
            }
            state.write(withTrustAfter(List.of(new BdbDeleted(BdbDeleted.VERSION, uid, current.generation() + 1, current.cluster(),
                    clock.instant()))));
            LOG.infof("deleted bdb %d", uid);
            return null;
        });
    }

    /**
     * The bdb {@code spec} describes, placed: endpoint port (given, or a free one). Its Redis is made by its cluster's
     * syncer-service, unless {@code backend} names an external one (checked: no other bdb's, and reachable). {@code
     * current} keeps what an update does not change.
     */
    public BdbConfigured place(long uid, long generation, BdbSpec spec, BdbConfigured current, Set<Integer> portsTaken) {
        state.cluster(spec.cluster());
        int port;
        if (spec.port() != null) {
            port = spec.port();
            for (BdbConfigured other : state.bdbs().values()) {
                if (other.uid() != uid && other.port() == port) {
                    throw new ApiException(ApiError.PORT_IN_USE, "port " + port + " is the endpoint of bdb " + other.uid());
                }
            }
        } else {
            port = current != null ? current.port() : state.freePort(portsTaken);
        }
        for (BdbConfigured other : state.bdbs().values()) {
            if (other.uid() != uid && other.cluster().equals(spec.cluster()) && other.name().equals(spec.name())) {
                throw new ApiException(ApiError.NAME_IN_USE, "cluster " + spec.cluster() + " already has a bdb named '" + spec.name() + "'");
            }
        }
        String backend = current != null ? current.backend() : spec.backend();
        if (current != null && !java.util.Objects.equals(spec.backend(), current.backend())) {
            throw new ApiException(ApiError.INVALID_CONFIGURATION, "backend: a bdb's backend cannot change (it holds the bdb's data); "
                    + "create a new bdb instead");
        }
        if (current == null && backend != null) {
            ExternalBackends.check(backend, uid, spec.cluster(), state.bdbs().values());
        }
        Tls tls = new Tls(spec.tlsMode(), spec.enforceClientAuthentication(), spec.clientCerts(),
                current != null ? current.tls().crdtCerts() : List.of(), spec.subjectValidation(), spec.authorizedSubjects(),
                spec.allowOutdatedCerts(), spec.allowWeakHashing());
        return new BdbConfigured(BdbConfigured.VERSION, uid, generation, spec.name(), spec.cluster(), port, backend, spec.memorySize(),
                current != null ? current.crdbGuid() : null, tls, spec.replicaSources(), spec.replicaSync(), clock.instant(),
                spec.maxConnections(), spec.evictionPolicy(), spec.dataPersistence());
    }

    /**
     * Each source's client identity ({@code client_cert}/{@code client_key}): a key given goes to cert-service (not on a
     * dry run), kept for the bdb's cluster under a new id; a certificate given again without its key (a GET-modify-PUT,
     * which never sees the key) keeps the key it had; a new certificate needs its key.
     */
    private BdbConfigured withClientKeys(BdbConfigured b, BdbConfigured current, BdbSpec spec, boolean dryRun) {
        if (b.replicaSources().stream().allMatch(s -> s.clientCert() == null && password(s.uri()) == null)) {
            return b;
        }
        List<ReplicaSource> sources = new ArrayList<>();
        for (int i = 0; i < b.replicaSources().size(); i++) {
            ReplicaSource s = withPassword(b, current, b.replicaSources().get(i), i, dryRun);
            if (s.clientCert() == null) {
                sources.add(s);
                continue;
            }
            String field = "replica_sources[" + i + "].client_key";
            BdbSpec.Secret key = spec.sourceKeys().get(s.uid());
            String id;
            if (key == null) {
                id = current == null ? null : current.replicaSources().stream()
                        .filter(x -> x.uid() == s.uid() && s.clientCert().equals(x.clientCert()) && x.clientKeyId() != null)
                        .map(ReplicaSource::clientKeyId).findFirst().orElse(null);
                if (id == null) {
                    throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, field + " is required with a new client_cert");
                }
            } else {
                id = ClientKeys.id(b.uid(), s.uid(), s.clientCert());
                if (!dryRun) {
                    clientKeys.store(b.cluster(), id, s.clientCert(), key.pem(), field);
                }
            }
            sources.add(new ReplicaSource(s.uid(), s.uri(), s.encryption(), s.serverCert(), s.replicationTlsSni(), s.compression(),
                    s.clientCert(), id, s.credentialsId()));
        }
        return new BdbConfigured(b.version(), b.uid(), b.generation(), b.name(), b.cluster(), b.port(), b.backend(), b.memorySize(),
                b.crdbGuid(), b.tls(), sources, b.replicaSync(), b.updatedAt(), b.maxConnections(), b.evictionPolicy(), b.dataPersistence());
    }

    /**
     * A source URI's password is kept out of the desired state: cert-service keeps it for the bdb's cluster (not on a dry
     * run), the event has its id and the URI reads {@code user:********}. A URI sent back as GET shows it (masked) keeps
     * the password it had; a masked one the bdb never had is refused.
     */
    private ReplicaSource withPassword(BdbConfigured b, BdbConfigured current, ReplicaSource s, int i, boolean dryRun) {
        String password = password(s.uri());
        if (password == null) {
            return s;
        }
        String field = "replica_sources[" + i + "].uri";
        String masked = masked(s.uri());
        String id;
        if (password.equals(ReplicaSource.MASKED)) {
            id = current == null ? null : current.replicaSources().stream()
                    .filter(x -> x.uid() == s.uid() && masked.equals(x.uri()) && x.credentialsId() != null)
                    .map(ReplicaSource::credentialsId).findFirst().orElse(null);
            if (id == null) {
                throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, field + ": the password reads " + ReplicaSource.MASKED
                        + " (as GET shows it): give the password");
            }
        } else {
            id = ClientKeys.passwordId(b.uid(), s.uid(), s.uri());
            if (!dryRun) {
                clientKeys.storeSecret(b.cluster(), id, password, field);
            }
        }
        return new ReplicaSource(s.uid(), masked, s.encryption(), s.serverCert(), s.replicationTlsSni(), s.compression(), s.clientCert(),
                s.clientKeyId(), id);
    }

    /** The (decoded) password of a {@code redis://[user:]password@host:port} URI, or null. */
    static String password(String uri) {
        java.net.URI u = java.net.URI.create(uri);
        String info = u.getRawUserInfo();
        if (info == null) {
            return null;
        }
        int colon = info.indexOf(':');
        String raw = colon < 0 ? info : info.substring(colon + 1);
        return raw.isEmpty() ? null : java.net.URLDecoder.decode(raw, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The URI with its password as {@code ********}. */
    static String masked(String uri) {
        return BdbResource.maskPassword(uri);
    }

    /** Encrypted sources need a server certificate (given, or their suite cluster's), and Replica Of must not loop. */
    void checkSources(BdbConfigured b) {
        TrustSets.EndpointResolver resolver = TrustSets.EndpointResolver.of(state);
        for (ReplicaSource s : b.replicaSources()) {
            Optional<BdbConfigured> src = resolver.resolve(s.uri());
            if (s.encryption() && s.serverCert() == null && src.isEmpty()) {
                throw new ApiException(ApiError.MISSING_SERVER_CERT, "replica_sources[" + (s.uid() - 1) + "].server_cert is required with "
                        + "encryption: true when the source is not one of the suite's databases");
            }
            if (src.isPresent() && src.get().uid() == b.uid()) {
                throw new ApiException(ApiError.REPLICA_CYCLE, "bdb " + b.uid() + " cannot replicate from itself");
            }
        }
        Map<Long, List<Long>> edges = new HashMap<>();
        Map<Long, BdbConfigured> all = new HashMap<>(state.bdbs());
        all.put(b.uid(), b);
        for (BdbConfigured d : all.values()) {
            for (ReplicaSource s : d.replicaSources()) {
                resolver.resolve(s.uri()).ifPresent(src -> edges.computeIfAbsent(d.uid(), k -> new ArrayList<>()).add(src.uid()));
            }
        }
        Deque<Long> todo = new ArrayDeque<>(edges.getOrDefault(b.uid(), List.of()));
        Set<Long> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            long next = todo.pop();
            if (next == b.uid()) {
                throw new ApiException(ApiError.REPLICA_CYCLE, "replica_sources: bdb " + b.uid() + " would end up replicating from itself");
            }
            if (seen.add(next)) {
                todo.addAll(edges.getOrDefault(next, List.of()));
            }
        }
    }

    /** {@code changed} with the derived trust of every bdb recomputed: the events to write. */
    public List<SuiteEvent> withTrust(List<BdbConfigured> changed) {
        return withTrust(changed, state.crdbs());
    }

    private List<SuiteEvent> withTrust(List<BdbConfigured> changed, Map<String, CrdbConfigured> crdbs) {
        Map<Long, BdbConfigured> all = new HashMap<>(state.bdbs());
        changed.forEach(b -> all.put(b.uid(), b));
        Set<Long> changedUids = new HashSet<>();
        changed.forEach(b -> changedUids.add(b.uid()));
        return withTrust(all, changedUids, crdbs);
    }

    private List<SuiteEvent> withTrust(Map<Long, BdbConfigured> all, Set<Long> changedUids, Map<String, CrdbConfigured> crdbs) {
        List<SuiteEvent> out = new ArrayList<>();
        var certificates = events.certificates().all();
        Map<Long, Set<String>> replicaOf = TrustSets.encryptedReplicaOf(all, TrustSets.EndpointResolver.of(state));
        for (BdbConfigured b : all.values()) {
            List<String> trust = TrustSets.crdtCerts(b, crdbs, certificates, replicaOf);
            if (!trust.equals(b.tls().crdtCerts())) {
                BdbConfigured base = changedUids.contains(b.uid()) ? b : withGeneration(b, b.generation() + 1, b);
                out.add(withCrdtCerts(base, trust));
            } else if (changedUids.contains(b.uid())) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * {@code deletions} (bdbs deleted, CRDBs changed or deleted) followed by the trust changes of the bdbs that stay,
     * computed from the state as it will be once they are written: one transaction, so a change is written whole or
     * not at all (and the API's answer says which).
     */
    public List<SuiteEvent> withTrustAfter(List<? extends SuiteEvent> deletions) {
        Map<Long, BdbConfigured> all = new HashMap<>(state.bdbs());
        Map<String, CrdbConfigured> crdbs = new HashMap<>(state.crdbs());
        for (SuiteEvent e : deletions) {
            if (e instanceof BdbDeleted d) {
                all.remove(d.uid());
            } else if (e instanceof CrdbConfigured c) {
                crdbs.put(c.guid(), c);
            } else if (e instanceof CrdbDeleted c) {
                crdbs.remove(c.guid());
            } else {
                throw new IllegalArgumentException("not a deletion: " + e.getClass().getSimpleName());
            }
        }
        List<SuiteEvent> out = new ArrayList<>(deletions);
        out.addAll(withTrust(all, Set.of(), crdbs));
        return out;
    }

    public List<SuiteEvent> withTrustAround(List<BdbConfigured> changed, CrdbConfigured crdb) {
        Map<String, CrdbConfigured> crdbs = new HashMap<>(state.crdbs());
        crdbs.put(crdb.guid(), crdb);
        return withTrust(changed, crdbs);
    }

    /** Events that bring every bdb's derived trust up to date (after certificates or topology changed). */
    public List<SuiteEvent> reconcileTrust() {
        return withTrust(List.of());
    }

    private static BdbConfigured withCrdtCerts(BdbConfigured b, List<String> trust) {
        Tls t = b.tls();
        return new BdbConfigured(b.version(), b.uid(), b.generation(), b.name(), b.cluster(), b.port(), b.backend(), b.memorySize(),
                b.crdbGuid(), new Tls(t.tlsMode(), t.enforceClientAuthentication(), t.clientCerts(), trust, t.subjectValidation(),
                        t.authorizedSubjects(), t.allowOutdatedCerts(), t.allowWeakHashing()),
                b.replicaSources(), b.replicaSync(), b.updatedAt(), b.maxConnections(), b.evictionPolicy(), b.dataPersistence());
    }

    private BdbConfigured withGeneration(BdbConfigured b, long generation, BdbConfigured timeFrom) {
        return new BdbConfigured(b.version(), b.uid(), generation, b.name(), b.cluster(), b.port(), b.backend(), b.memorySize(),
                b.crdbGuid(), b.tls(), b.replicaSources(), b.replicaSync(), timeFrom.updatedAt(), b.maxConnections(), b.evictionPolicy(),
                b.dataPersistence());
    }

    public BdbConfigured require(long uid) {
        return state.bdb(uid).orElseThrow(() -> new ApiException(ApiError.BDB_NOT_FOUND, "no bdb with uid " + uid));
    }

    /** The bdb as Redis Enterprise shows it, with what the syncer-service of its cluster reports. */
    public ObjectNode render(BdbConfigured b) {
        Map<String, SyncerStatusEvent> status = events.status().all();
        SyncerStatusEvent ep = status.get(b.cluster() + "/endpoint/" + b.uid());
        boolean listening = ep instanceof EndpointStatus e && e.observedGeneration() >= b.generation() && e.listening();
        String reason = ep instanceof EndpointStatus e && e.lastError() != null && !listening ? "endpoint: " + e.lastError() : null;
        String s = listening ? "active" : "active-change-pending";
        if (b.managed()) {
            SyncerStatusEvent sh = status.get(b.cluster() + "/shard/" + b.uid());
            if (!(sh instanceof ShardStatus h) || h.state() == ShardState.STARTING && h.restarts() == 0 && h.observedGeneration() < b.generation()
                    && !listening) {
                s = "pending"; // its Redis is being made
            } else if (h.state() == ShardState.FAILED && h.restarts() == 0) {
                s = "creation-failed";
                reason = "redis: " + h.lastError();
            } else if (h.state() == ShardState.RECOVERING || h.state() == ShardState.FAILED || h.state() == ShardState.STARTING) {
                s = "recovery";
                reason = h.lastError() == null ? null : "redis: " + h.lastError();
            } else if (h.observedGeneration() < b.generation() || !listening) {
                s = "active-change-pending";
                reason = h.lastError() != null ? "redis: " + h.lastError() : reason;
            }
        }
        if (s.equals("active") && b.crdbGuid() != null) {
            String channels = channelTlsPending(b, status);
            if (channels != null) {
                s = "active-change-pending";
                reason = channels;
            }
        }
        Map<Integer, ObjectNode> sources = new HashMap<>();
        boolean stopped = false;
        for (ReplicaSource src : b.replicaSources()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            SyncerStatusEvent ch = status.get(SyncerStatusEvent.channelKey(b.cluster(), SyncerStatusEvent.replicaOfChannelId(b.uid(), src.uid())));
            if (ch instanceof ChannelStatus c) {
                Optional<String> silence = SyncerHeartbeat.silence(status, b.cluster(), clock.instant());
                o.put("status", silence.isPresent() ? "unknown" : switch (c.state()) {
                    case IN_SYNC -> "in-sync";
                    case SYNCING -> "syncing";
                    case OUT_OF_SYNC -> "out-of-sync";
                });
                o.put("lag", c.lagMs());
                if (silence.isPresent() || c.lastError() != null) {
                    o.put("last_error", silence.map(m -> m + (c.lastError() != null ? "; its last report: " + c.lastError() : ""))
                            .orElse(c.lastError()));
                }
                o.put("last_update", c.updatedAt().toString());
                // an unrecoverable error (authentication refused, the local backend refusing writes) stops the sync, as in RE
                stopped |= c.stopped() && c.observedGeneration() >= b.generation();
            } else {
                o.put("status", "out-of-sync");
            }
            if (src.serverCert() == null && src.encryption()) {
                TrustSets.EndpointResolver.of(state).resolve(src.uri())
                        .flatMap(sb -> TrustSets.proxyChain(sb.cluster(), events.certificates().all()))
                        .ifPresent(pem -> o.put("server_cert", pem));
            }
            sources.put(src.uid(), o);
        }
        ObjectNode rendered = BdbJson.render(b, state.cluster(b.cluster()).endpointHost(), s, sources);
        if (reason != null && !s.equals("active")) {
            rendered.put("status_reason", reason);
        }
        if (stopped && "enabled".equals(b.replicaSync())) {
            rendered.put("replica_sync", "stopped");
        }
        return rendered;
    }
}
