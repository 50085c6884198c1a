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
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.BdbDeleted;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.SuiteEvent;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;
import org.redissync.events.SyncerStatusEvent.EndpointStatus;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.events.TlsMode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The bdb API's logic: create, update (partial), delete, and the RE view of each bdb with its live status. */
@Singleton
public class BdbService {

    private static final Logger LOG = Logger.getLogger(BdbService.class);

    private final DesiredState state;
    private final CoordinatorEvents events;
    private final Clock clock;

    BdbService(DesiredState state, CoordinatorEvents events, Clock clock) {
        this.state = state;
        this.events = events;
        this.clock = clock;
    }

    public List<ObjectNode> list() {
        return state.bdbs().values().stream().map(this::render).toList();
    }

    public ObjectNode get(long uid) {
        return render(require(uid));
    }

    public ObjectNode create(String body, boolean dryRun) {
        ObjectNode request = BdbJson.body(body);
        return state.change(() -> {
            BdbSpec spec = BdbJson.parse(BdbJson.overlay(JsonNodeFactory.instance.objectNode(), request), clock.instant(), Set.of());
            if (spec.cluster() == null) {
                throw new ApiException(ApiError.INVALID_VALUE, "cluster: say which cluster the bdb lives on; known: "
                        + state.clusterNames().stream().sorted().toList());
            }
            state.cluster(spec.cluster());
            long uid = state.nextBdbUid();
            BdbConfigured b = place(uid, 1, spec, null, Set.of());
            checkSources(b);
            if (dryRun) {
                return render(b);
            }
            state.write(withTrust(List.of(b)));
            LOG.infof("created bdb %d '%s' on %s, endpoint port %d, backend %s", uid, b.name(), b.cluster(), b.port(), b.backend());
            return render(state.bdb(uid).orElseThrow());
        });
    }

    public ObjectNode update(long uid, String body, boolean dryRun) {
        ObjectNode request = BdbJson.body(body);
        return state.change(() -> {
            BdbConfigured current = require(uid);
            BdbSpec spec = BdbJson.parse(BdbJson.overlay(render(current), request), clock.instant(),
                    Set.copyOf(current.tls().clientCerts()));
            if (!current.cluster().equals(spec.cluster())) {
                throw new ApiException(ApiError.INVALID_CONFIGURATION, "cluster: a bdb cannot move to another cluster");
            }
            if (current.crdbGuid() != null) {
                boolean encrypted = state.crdb(current.crdbGuid()).map(c -> c.encryption()).orElse(false);
                if (encrypted && spec.tlsMode() == TlsMode.DISABLED) {
                    throw new ApiException(ApiError.INVALID_CONFIGURATION, "tls_mode: this bdb is an instance of CRDB "
                            + current.crdbGuid() + " with encryption on, so it is at least replica_ssl");
                }
            }
            BdbConfigured next = place(uid, current.generation() + 1, spec, current, Set.of());
            checkSources(next);
            if (next.equals(withGeneration(current, next.generation(), next))) {
                return render(current);
            }
            if (dryRun) {
                return render(next);
            }
            state.write(withTrust(List.of(next)));
            LOG.infof("updated bdb %d to generation %d", uid, next.generation());
            return render(state.bdb(uid).orElseThrow());
        });
    }

    public void delete(long uid) {
        state.change(() -> {
            BdbConfigured current = require(uid);
            if (current.crdbGuid() != null) {
                throw new ApiException(ApiError.INVALID_CONFIGURATION, "bdb " + uid + " is an instance of CRDB " + current.crdbGuid()
                        + ": delete the CRDB instead");
            }
            List<SuiteEvent> out = new ArrayList<>();
            out.add(new BdbDeleted(BdbDeleted.VERSION, uid, current.generation() + 1, current.cluster(), clock.instant()));
            state.write(out);
            state.write(reconcileTrust());
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

    private List<SuiteEvent> withTrust(List<BdbConfigured> changed, Map<String, org.redissync.events.CrdbConfigEvent.CrdbConfigured> crdbs) {
        Map<Long, BdbConfigured> all = new HashMap<>(state.bdbs());
        changed.forEach(b -> all.put(b.uid(), b));
        List<SuiteEvent> out = new ArrayList<>();
        Set<Long> changedUids = new HashSet<>();
        changed.forEach(b -> changedUids.add(b.uid()));
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

    /** As {@link #withTrust}, computed as if {@code crdb} were already written (its instances trust each other). */
    public List<SuiteEvent> withTrustAround(List<BdbConfigured> changed, org.redissync.events.CrdbConfigEvent.CrdbConfigured crdb) {
        Map<String, org.redissync.events.CrdbConfigEvent.CrdbConfigured> crdbs = new HashMap<>(state.crdbs());
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
        Map<Integer, ObjectNode> sources = new HashMap<>();
        boolean stopped = false;
        for (ReplicaSource src : b.replicaSources()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            SyncerStatusEvent ch = status.get(b.cluster() + "/channel/" + SyncerStatusEvent.replicaOfChannelId(b.uid(), src.uid()));
            if (ch instanceof ChannelStatus c) {
                o.put("status", switch (c.state()) {
                    case IN_SYNC -> "in-sync";
                    case SYNCING -> "syncing";
                    case OUT_OF_SYNC -> "out-of-sync";
                });
                o.put("lag", c.lagMs());
                if (c.lastError() != null) {
                    o.put("last_error", c.lastError());
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
