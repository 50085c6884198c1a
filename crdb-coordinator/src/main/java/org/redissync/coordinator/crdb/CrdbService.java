package org.redissync.coordinator.crdb;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.coordinator.bdb.BdbJson;
import org.redissync.coordinator.bdb.BdbService;
import org.redissync.coordinator.bdb.BdbSpec;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.coordinator.state.DesiredState;
import org.redissync.coordinator.task.TaskService;
import org.redissync.coordinator.task.TaskTracker;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.BdbDeleted;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.CrdbDeleted;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.CrdbTaskEvent.TaskUpdated;
import org.redissync.events.RedisAddress;
import org.redissync.events.SuiteEvent;
import org.redissync.events.TaskStatus;
import org.redissync.events.TlsMode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Active-Active databases: a CRDB is one bdb per participating cluster plus the CRDB event that ties
 * them. {@code encryption: true} makes every instance at least {@code replica_ssl} and (through
 * {@code TrustSets}) trust every peer's syncer certificate. Every change is a task.
 */
@Singleton
public class CrdbService {

    private static final Logger LOG = Logger.getLogger(CrdbService.class);
    static final Set<String> DB_CONFIG_FIELDS = Set.of("name", "memory_size", "port", "tls_mode", "enforce_client_authentication",
            "authentication_ssl_client_certs", "client_cert_subject_validation_type", "authorized_subjects", "authorized_names",
            "mtls_allow_outdated_certs", "mtls_allow_weak_hashing");

    private final DesiredState state;
    private final BdbService bdbs;
    private final TaskService tasks;
    private final TaskTracker tracker;
    private final Clock clock;
    private final org.redissync.coordinator.events.CoordinatorEvents events;

    CrdbService(DesiredState state, BdbService bdbs, TaskService tasks, TaskTracker tracker, Clock clock,
            org.redissync.coordinator.events.CoordinatorEvents events) {
        this.events = events;
        this.state = state;
        this.bdbs = bdbs;
        this.tasks = tasks;
        this.tracker = tracker;
        this.clock = clock;
    }

    public List<ObjectNode> list() {
        return state.crdbs().values().stream().map(this::render).toList();
    }

    public ObjectNode get(String guid) {
        return render(require(guid));
    }

    /** POST /v1/crdbs: validates, writes the instance bdbs and the CRDB, returns the (queued) task. */
    public ObjectNode create(String body, boolean dryRun, String taskId) {
        ObjectNode req = BdbJson.body(body);
        onlyFields(req, "", CREATE_FIELDS);
        JsonNode instancesNode = req.get("instances");
        if (instancesNode != null && instancesNode.isArray()) {
            for (int i = 0; i < instancesNode.size(); i++) {
                if (instancesNode.get(i).isObject()) {
                    onlyFields((ObjectNode) instancesNode.get(i), "instances[" + i + "].", INSTANCE_FIELDS);
                    if (instancesNode.get(i).get("cluster") instanceof ObjectNode c) {
                        onlyFields(c, "instances[" + i + "].cluster.", INSTANCE_CLUSTER_FIELDS);
                    }
                    if (instancesNode.get(i).get("db_config") instanceof ObjectNode c) {
                        dbConfigFields(c, "instances[" + i + "].db_config.");
                    }
                }
            }
        }
        if (req.get("default_db_config") instanceof ObjectNode c) {
            dbConfigFields(c, "default_db_config.");
        }
        return state.change(() -> {
            ObjectNode dbConfig = req.has("default_db_config") && req.get("default_db_config").isObject()
                    ? ((ObjectNode) req.get("default_db_config")).deepCopy() : JsonNodeFactory.instance.objectNode();
            if (req.hasNonNull("name") && !dbConfig.has("name")) {
                dbConfig.set("name", req.get("name"));
            }
            if (req.hasNonNull("memory_size") && !dbConfig.has("memory_size")) {
                dbConfig.set("memory_size", req.get("memory_size"));
            }
            boolean encryption = bool(req, "encryption", false);
            JsonNode inst = req.get("instances");
            if (inst == null || !inst.isArray() || inst.isEmpty()) {
                throw new ApiException(ApiError.INVALID_VALUE, "instances: at least one instance {\"cluster\": {\"name\": ...}} expected");
            }
            String guid = UUID.randomUUID().toString();
            long uid = state.nextBdbUid();
            Set<Integer> ports = new HashSet<>();
            Set<String> clusters = new HashSet<>();
            List<BdbConfigured> instanceBdbs = new ArrayList<>();
            List<Instance> instances = new ArrayList<>();
            for (int i = 0; i < inst.size(); i++) {
                JsonNode in = inst.get(i);
                JsonNode cl = in.get("cluster");
                String cluster = cl != null && cl.isObject() && cl.hasNonNull("name") ? cl.get("name").asText()
                        : cl != null && cl.isTextual() ? cl.asText() : null;
                if (cluster == null) {
                    throw new ApiException(ApiError.INVALID_VALUE, "instances[" + i + "].cluster.name is required");
                }
                state.cluster(cluster);
                if (!clusters.add(cluster)) {
                    throw new ApiException(ApiError.INVALID_CONFIGURATION, "instances: cluster " + cluster + " is listed twice");
                }
                ObjectNode cfg = dbConfig.deepCopy();
                if (in.has("db_config") && in.get("db_config").isObject()) {
                    cfg.setAll((ObjectNode) in.get("db_config"));
                }
                cfg.put("cluster", cluster);
                BdbSpec spec = BdbJson.parse(onlyDbConfig(cfg), clock.instant(), Set.of());
                BdbConfigured b = bdbs.place(uid, 1, spec, null, ports);
                b = instanceOf(b, guid, encryption ? floor(b.tls().tlsMode()) : b.tls().tlsMode(), b.generation());
                ports.add(b.port());
                instanceBdbs.add(b);
                String endpoint = cl != null && cl.isObject() && cl.hasNonNull("replication_endpoint")
                        ? replicationEndpoint(i, cl.get("replication_endpoint").asText())
                        : RedisAddress.tcp(state.cluster(cluster).endpointHost(), b.port()).toString();
                String sni = cl != null && cl.isObject() && cl.hasNonNull("replication_tls_sni") ? cl.get("replication_tls_sni").asText() : null;
                int compression = in.hasNonNull("compression") ? in.get("compression").asInt() : 3;
                instances.add(new Instance(i + 1, cluster, uid, endpoint, sni, compression));
                uid++;
            }
            // encryption follows the instances (see BdbService): instances all created with tls_mode on make it true
            encryption |= instanceBdbs.stream().allMatch(b -> b.tls().tlsMode() != TlsMode.DISABLED);
            Map<String, Object> defaults = new LinkedHashMap<>();
            dbConfig.fields().forEachRemaining(f -> defaults.put(f.getKey(), BdbJson.MAPPER.convertValue(f.getValue(), Object.class)));
            String name = dbConfig.hasNonNull("name") ? dbConfig.get("name").asText() : null;
            CrdbConfigured crdb = new CrdbConfigured(CrdbConfigured.VERSION, guid, 1, name, encryption, bool(req, "causal_consistency", false),
                    defaults, instances, 0, clock.instant());
            String id = tasks.newId(taskId);
            TaskUpdated task = tasks.queued(id, guid, "create_crdb", crdb.generation());
            if (dryRun) {
                return TaskService.render(task);
            }
            return run(task, () -> {
                List<SuiteEvent> out = new ArrayList<>(bdbs.withTrustAround(instanceBdbs, crdb));
                out.add(crdb);
                return out;
            });
        });
    }

    /** PATCH /v1/crdbs/{guid} and POST .../updates: changed fields only, {@code default_db_config} merged. */
    public ObjectNode update(String guid, ObjectNode patch, boolean force, boolean dryRun, String taskId) {
        onlyFields(patch, "", UPDATE_FIELDS);
        if (patch.get("default_db_config") instanceof ObjectNode c) {
            dbConfigFields(c, "default_db_config.");
        }
        return state.change(() -> {
            CrdbConfigured current = require(guid);
            boolean encryption = patch.has("encryption") ? bool(patch, "encryption", current.encryption()) : current.encryption();
            Map<String, Object> defaults = new LinkedHashMap<>(current.defaultDbConfig());
            ObjectNode dbPatch = patch.has("default_db_config") && patch.get("default_db_config").isObject()
                    ? (ObjectNode) patch.get("default_db_config") : JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = dbPatch.fields(); it.hasNext();) {
                var f = it.next();
                defaults.put(f.getKey(), BdbJson.MAPPER.convertValue(f.getValue(), Object.class));
            }
            long generation = current.generation() + 1;
            List<BdbConfigured> changed = new ArrayList<>();
            for (Instance i : current.instances()) {
                BdbConfigured b = bdbs.require(i.bdbUid());
                ObjectNode overlay = onlyDbConfig(dbPatch);
                overlay.remove("name");
                BdbSpec spec = BdbJson.parse(BdbJson.overlay(bdbs.render(b), overlay), clock.instant(), Set.copyOf(b.tls().clientCerts()));
                BdbConfigured next = bdbs.place(b.uid(), b.generation() + 1, spec, b, Set.of());
                TlsMode mode = next.tls().tlsMode();
                if (encryption) {
                    mode = floor(mode);
                } else if (current.encryption() && mode == TlsMode.REPLICA_SSL && !dbPatch.has("tls_mode")) {
                    mode = TlsMode.DISABLED;
                } else if (mode == TlsMode.ENABLED) {
                    throw new ApiException(ApiError.INVALID_CONFIGURATION, "encryption: the instance on " + i.cluster() + " (bdb " + b.uid()
                            + ") has tls_mode enabled, which needs TLS on every connection, peer syncers included; lower it first");
                }
                changed.add(instanceOf(next, guid, mode, next.generation()));
            }
            CrdbConfigured next = new CrdbConfigured(CrdbConfigured.VERSION, guid, generation, current.name(), encryption,
                    current.causalConsistency(), defaults, current.instances(), current.forceCounter() + (force ? 1 : 0), clock.instant());
            TaskUpdated task = tasks.queued(tasks.newId(taskId), guid, "update_crdb", generation);
            if (dryRun) {
                return TaskService.render(task);
            }
            return run(task, () -> {
                List<SuiteEvent> out = new ArrayList<>(bdbs.withTrustAround(changed, next));
                out.add(next);
                return out;
            });
        });
    }

    public ObjectNode delete(String guid, String taskId) {
        return state.change(() -> {
            CrdbConfigured current = require(guid);
            TaskUpdated task = tasks.queued(tasks.newId(taskId), guid, "delete_crdb", current.generation() + 1);
            return run(task, () -> {
                List<SuiteEvent> out = new ArrayList<>();
                for (Instance i : current.instances()) {
                    state.bdb(i.bdbUid()).ifPresent(b -> out.add(new BdbDeleted(BdbDeleted.VERSION, b.uid(), b.generation() + 1,
                            b.cluster(), clock.instant())));
                }
                out.add(new CrdbDeleted(CrdbDeleted.VERSION, guid, current.generation() + 1, current.instances(), clock.instant()));
                return out;
            });
        });
    }

    /** queued → (the change) → started; the tracker takes it from there. Returns the queued task, as RE does. */
    private ObjectNode run(TaskUpdated queued, java.util.function.Supplier<List<SuiteEvent>> change) {
        TaskUpdated started = TaskService.transition(queued, TaskStatus.STARTED, clock.instant(), List.of(), List.of());
        if ("delete_crdb".equals(queued.operation())) {
            tasks.publish(queued);
            state.write(change.get());
            state.write(bdbs.reconcileTrust()); // computed from the state without the deleted bdbs
            tasks.publish(started);
        } else {
            // the task as queued, the change, the task as started: sent together, awaited once (a switch of 100 CRDBs
            // is 100 of these one after the other, under the writer lock)
            List<SuiteEvent> out = new ArrayList<>();
            out.add(queued);
            out.addAll(change.get());
            out.add(started);
            state.write(out);
        }
        tracker.poke();
        LOG.infof("task %s: %s %s", queued.id(), queued.operation(), queued.crdbGuid());
        return TaskService.render(queued);
    }

    /** Fields of POST /v1/crdbs, of each instance, and of its cluster ({@code url} and {@code credentials}: one API here). */
    static final Set<String> CREATE_FIELDS = Set.of("name", "memory_size", "encryption", "causal_consistency", "default_db_config",
            "instances");
    static final Set<String> INSTANCE_FIELDS = Set.of("cluster", "db_config", "compression");
    static final Set<String> INSTANCE_CLUSTER_FIELDS = Set.of("name", "url", "credentials", "replication_endpoint", "replication_tls_sni");
    /** Fields a CRDB update changes (PATCH, and {@code crdb} in POST .../updates). */
    static final Set<String> UPDATE_FIELDS = Set.of("encryption", "default_db_config");

    /** Nothing is ignored: a field outside {@code allowed} is refused by name ({@code 400 invalid_schema}). */
    static void onlyFields(ObjectNode o, String path, Set<String> allowed) {
        o.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                throw new ApiException(ApiError.INVALID_SCHEMA, path + k + ": not a field this suite supports here"
                        + ("".equals(path) && k.endsWith("_instances") ? " yet (CRDB membership changes are not implemented)" : "")
                        + " (supported: " + allowed.stream().sorted().toList() + ")");
            }
        });
    }

    /** A CRDB's database configuration: the instance fields it may set, and RE's fixed ones at their one value. */
    static void dbConfigFields(ObjectNode o, String path) {
        o.fields().forEachRemaining(f -> {
            if (BdbJson.isFixed(f.getKey())) {
                BdbJson.checkFixed(path, f.getKey(), f.getValue());
            } else if (!DB_CONFIG_FIELDS.contains(f.getKey())) {
                throw new ApiException(ApiError.INVALID_SCHEMA, path + f.getKey() + ": not a database setting an Active-Active database "
                        + "takes here (supported: " + DB_CONFIG_FIELDS.stream().sorted().toList() + ")");
            }
        });
    }

    private static ObjectNode onlyDbConfig(ObjectNode cfg) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        cfg.fields().forEachRemaining(f -> {
            if (DB_CONFIG_FIELDS.contains(f.getKey()) || "cluster".equals(f.getKey())) {
                out.set(f.getKey(), f.getValue());
            }
        });
        return out;
    }

    private static TlsMode floor(TlsMode m) {
        return m == TlsMode.DISABLED ? TlsMode.REPLICA_SSL : m;
    }

    private static BdbConfigured instanceOf(BdbConfigured b, String guid, TlsMode mode, long generation) {
        Tls t = b.tls();
        return new BdbConfigured(b.version(), b.uid(), generation, b.name(), b.cluster(), b.port(), b.backend(), b.memorySize(), guid,
                new Tls(mode, t.enforceClientAuthentication(), t.clientCerts(), t.crdtCerts(), t.subjectValidation(),
                        t.authorizedSubjects(), t.allowOutdatedCerts(), t.allowWeakHashing()),
                b.replicaSources(), b.replicaSync(), b.updatedAt(), b.maxConnections(), b.evictionPolicy(), b.dataPersistence());
    }

    /** Peers reach an instance at its replication endpoint over the network: {@code host:port} or {@code [ipv6]:port}. */
    private static String replicationEndpoint(int instance, String value) {
        try {
            return RedisAddress.parseTcp(value).toString();
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_VALUE, "instances[" + instance + "].cluster.replication_endpoint: " + e.getMessage());
        }
    }

    private static boolean bool(JsonNode n, String field, boolean dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual()) {
            switch (v.asText().toLowerCase()) {
                case "true", "yes", "enabled" -> {
                    return true;
                }
                case "false", "no", "disabled" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw new ApiException(ApiError.INVALID_VALUE, field + ": true or false expected");
    }

    public CrdbConfigured require(String guid) {
        return state.crdb(guid).orElseThrow(() -> new ApiException(ApiError.CRDB_NOT_FOUND, "no CRDB with guid " + guid));
    }

    /** The Redis Enterprise CRDB object. */
    public ObjectNode render(CrdbConfigured c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("guid", c.guid());
        o.put("name", c.name());
        o.put("encryption", c.encryption());
        o.put("causal_consistency", c.causalConsistency());
        o.put("generation", c.generation());
        o.set("default_db_config", BdbJson.MAPPER.valueToTree(c.defaultDbConfig()));
        ArrayNode instances = o.putArray("instances");
        ArrayNode local = o.putArray("local_databases");
        for (Instance i : c.instances()) {
            ObjectNode io = instances.addObject();
            io.put("id", i.id());
            ObjectNode cl = io.putObject("cluster");
            cl.put("name", i.cluster());
            state.cluster(i.cluster()).url().ifPresent(u -> cl.put("url", u));
            cl.put("replication_endpoint", i.replicationEndpoint());
            if (i.replicationTlsSni() != null) {
                cl.put("replication_tls_sni", i.replicationTlsSni());
            }
            io.put("db_uid", i.bdbUid());
            io.put("compression", i.compression());
            local.addObject().put("bdb_uid", i.bdbUid()).put("id", i.id());
        }
        renderChannels(c, o.putArray("channels"));
        return o;
    }

    /**
     * Not in Redis Enterprise's object (more keys are allowed): every channel of the CRDB as its
     * syncer-service reports it: sync state, lag, TLS facts, resync counters.
     */
    private void renderChannels(CrdbConfigured c, ArrayNode out) {
        var status = events.status().all();
        for (Instance to : c.instances()) {
            for (Instance from : c.instances()) {
                if (from.cluster().equals(to.cluster())) {
                    continue;
                }
                ObjectNode ch = out.addObject();
                ch.put("from", from.cluster());
                ch.put("to", to.cluster());
                String id = org.redissync.events.SyncerStatusEvent.crdbChannelId(c.guid(), from.cluster(), to.cluster());
                if (!(status.get(to.cluster() + "/channel/" + id) instanceof org.redissync.events.SyncerStatusEvent.ChannelStatus s)) {
                    ch.put("status", "out-of-sync");
                    ch.put("last_error", "not reported yet");
                    continue;
                }
                // reported by the destination's syncer-service: current only while it is heard from
                var silence = org.redissync.events.SyncerStatusEvent.SyncerHeartbeat.silence(status, to.cluster(), clock.instant());
                ch.put("status", silence.isPresent() ? "unknown" : BdbJson.MAPPER.convertValue(s.state(), String.class));
                ch.put("lag", s.lagMs());
                ch.put("observed_generation", s.observedGeneration());
                ch.put("last_update", s.updatedAt().toString());
                if (silence.isPresent() || s.lastError() != null) {
                    ch.put("last_error", silence.map(m -> m + (s.lastError() != null ? "; its last report: " + s.lastError() : ""))
                            .orElse(s.lastError()));
                }
                ObjectNode tls = ch.putObject("tls");
                tls.put("enabled", s.tls() != null && s.tls().enabled());
                if (s.tls() != null && s.tls().enabled()) {
                    tls.put("protocol", s.tls().protocol());
                    tls.put("cipher", s.tls().cipher());
                    tls.put("peer_subject", s.tls().peerSubject());
                    tls.put("peer_not_after", String.valueOf(s.tls().peerNotAfter()));
                }
                ch.put("full_resyncs", s.fullResyncs());
                ch.put("partial_resyncs", s.partialResyncs());
            }
        }
    }
}
