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
import org.redissync.events.CrdbConfigEvent;
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
    static final Set<String> DB_CONFIG_FIELDS = Set.of("name", "memory_size", "port", "eviction_policy", "tls_mode", "enforce_client_authentication",
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
        instanceFields(req.get("instances"), "instances");
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
            Map<String, String> endpoints = new java.util.HashMap<>();
            List<BdbConfigured> instanceBdbs = new ArrayList<>();
            List<Instance> instances = new ArrayList<>();
            for (int i = 0; i < inst.size(); i++) {
                NewInstance n = newInstance(inst.get(i), "instances[" + i + "]", dbConfig, guid, uid, i + 1, encryption, ports,
                        CrdbConfigEvent.Membership.ACTIVE);
                if (!clusters.add(n.instance().cluster())) {
                    throw new ApiException(ApiError.INVALID_CONFIGURATION, "instances: cluster " + n.instance().cluster() + " is listed twice");
                }
                String host = state.cluster(n.instance().cluster()).endpointHost();
                String sharing = endpoints.put(host + ":" + n.bdb().port(), n.instance().cluster());
                if (sharing != null) {
                    // RE's port is the CRDB's on every cluster: clusters whose endpoints share a host (one machine) cannot both have it
                    throw new ApiException(ApiError.PORT_IN_USE, "port " + n.bdb().port() + ": clusters " + sharing + " and "
                            + n.instance().cluster() + " have their endpoints on the same host (" + host + "), so one port cannot be the "
                            + "CRDB's on both; leave port unset (each instance gets a free one) or give each instance its own in db_config");
                }
                ports.add(n.bdb().port());
                instanceBdbs.add(n.bdb());
                instances.add(n.instance());
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

    /** A new instance's bdb (not yet written) and its entry in the CRDB. */
    private record NewInstance(BdbConfigured bdb, Instance instance) {
    }

    /** One {@code instance_info} of a create or {@code add_instances}, checked and placed on its cluster. */
    private NewInstance newInstance(JsonNode in, String path, ObjectNode dbConfig, String guid, long uid, int id, boolean encryption,
            Set<Integer> ports, CrdbConfigEvent.Membership membership) {
        JsonNode cl = in.get("cluster");
        String cluster = cl != null && cl.isObject() && cl.hasNonNull("name") ? cl.get("name").asText()
                : cl != null && cl.isTextual() ? cl.asText() : null;
        if (cluster == null) {
            throw new ApiException(ApiError.INVALID_VALUE, path + ".cluster.name is required");
        }
        state.cluster(cluster);
        ObjectNode cfg = dbConfig.deepCopy();
        if (in.has("db_config") && in.get("db_config").isObject()) {
            cfg.setAll((ObjectNode) in.get("db_config"));
        }
        cfg.put("cluster", cluster);
        BdbSpec spec = BdbJson.parse(onlyDbConfig(cfg), clock.instant(), Set.of());
        BdbConfigured b = bdbs.place(uid, 1, spec, null, ports);
        b = instanceOf(b, guid, encryption ? floor(b.tls().tlsMode()) : b.tls().tlsMode(), b.generation());
        String endpoint = cl.isObject() && cl.hasNonNull("replication_endpoint")
                ? replicationEndpoint(path, cl.get("replication_endpoint").asText())
                : RedisAddress.tcp(state.cluster(cluster).endpointHost(), b.port()).toString();
        String sni = cl.isObject() && cl.hasNonNull("replication_tls_sni") ? cl.get("replication_tls_sni").asText() : null;
        JsonNode c = in.get("compression");
        if (c != null && !c.isNull() && !(c.canConvertToInt() && c.asInt() >= 0 && c.asInt() <= 6)) {
            throw new ApiException(ApiError.INVALID_VALUE, path + ".compression: 0 to 6 expected");
        }
        int compression = c != null && !c.isNull() ? c.asInt() : 3;
        return new NewInstance(b, new Instance(id, cluster, uid, endpoint, sni, compression, membership));
    }

    /** The {@code instance_info} fields of a create or an {@code add_instances} entry, checked. */
    static void instanceFields(JsonNode instancesNode, String path) {
        if (instancesNode == null || !instancesNode.isArray()) {
            return;
        }
        for (int i = 0; i < instancesNode.size(); i++) {
            if (instancesNode.get(i).isObject()) {
                onlyFields((ObjectNode) instancesNode.get(i), path + "[" + i + "].", INSTANCE_FIELDS);
                if (instancesNode.get(i).get("cluster") instanceof ObjectNode c) {
                    onlyFields(c, path + "[" + i + "].cluster.", INSTANCE_CLUSTER_FIELDS);
                }
                if (instancesNode.get(i).get("db_config") instanceof ObjectNode c) {
                    dbConfigFields(c, path + "[" + i + "].db_config.");
                }
            }
        }
    }

    /**
     * {@code add_instances}: each new instance's bdb is made on its cluster with the CRDB's {@code default_db_config}, and
     * joins in two steps (design: {@code docs/channels.md}, "Membership"): as {@code joining} it loads a peer's
     * snapshot, its channels connect both ways, and its clients' writes are refused; once every channel of the CRDB
     * is in sync the coordinator makes it {@code active} ({@link #completeMembership}), and the task finishes.
     */
    public ObjectNode addInstances(String guid, JsonNode add, boolean dryRun, String taskId) {
        if (!add.isArray() || add.isEmpty()) {
            throw new ApiException(ApiError.INVALID_VALUE, "add_instances: a non-empty array of instances expected");
        }
        instanceFields(add, "add_instances");
        return state.change(() -> {
            CrdbConfigured current = require(guid);
            notChanging(current);
            ObjectNode dbConfig = BdbJson.MAPPER.valueToTree(current.defaultDbConfig());
            int id = current.instances().stream().mapToInt(Instance::id).max().orElse(0) + 1;
            long uid = state.nextBdbUid();
            Set<Integer> ports = new HashSet<>();
            Set<String> clusters = new HashSet<>();
            current.instances().forEach(i -> clusters.add(i.cluster()));
            List<BdbConfigured> added = new ArrayList<>();
            List<Instance> instances = new ArrayList<>(current.instances());
            for (int i = 0; i < add.size(); i++) {
                JsonNode cl = add.get(i).path("cluster");
                String cluster = cl.isTextual() ? cl.asText() : cl.path("name").asText(null);
                if (cluster != null && !clusters.add(cluster)) {
                    throw new ApiException(ApiError.INVALID_CONFIGURATION, "add_instances[" + i + "]: cluster " + cluster
                            + " already has an instance of this CRDB");
                }
                NewInstance n = newInstance(add.get(i), "add_instances[" + i + "]", dbConfig, guid, uid++, id++, current.encryption(), ports,
                        CrdbConfigEvent.Membership.JOINING);
                ports.add(n.bdb().port());
                added.add(n.bdb());
                instances.add(n.instance());
            }
            CrdbConfigured next = next(current, instances);
            // done when the second step (every new instance active) is applied everywhere
            TaskUpdated task = tasks.queued(tasks.newId(taskId), guid, "update_crdb", next.generation() + 1);
            if (dryRun) {
                return TaskService.render(task);
            }
            return run(task, () -> {
                List<SuiteEvent> out = new ArrayList<>(bdbs.withTrustAround(added, next));
                out.add(next);
                return out;
            });
        });
    }

    /**
     * {@code remove_instances}: safe removal as in Redis Enterprise. As {@code leaving}, the instance's clients' writes
     * are refused and channels into it stop, while each peer's channel from it runs until it has applied everything
     * the instance held when writes stopped; then the coordinator removes it ({@link #completeMembership}): its bdb and
     * channels go. {@code force}: removed at once, whatever of its writes had not reached the peers is lost to them.
     */
    public ObjectNode removeInstances(String guid, List<Integer> ids, boolean force, boolean dryRun, String taskId) {
        if (ids.isEmpty()) {
            throw new ApiException(ApiError.INVALID_VALUE, "remove_instances: a non-empty array of instance ids expected");
        }
        return state.change(() -> {
            CrdbConfigured current = require(guid);
            if (!force) {
                notChanging(current);
            }
            Set<Integer> remove = new HashSet<>(ids);
            for (int id : remove) {
                if (current.instances().stream().noneMatch(i -> i.id() == id)) {
                    throw new ApiException(ApiError.INSTANCE_NOT_FOUND, "remove_instances: CRDB " + guid + " has no instance " + id
                            + " (its instances: " + current.instances().stream().map(Instance::id).toList() + ")");
                }
            }
            if (current.instances().stream().allMatch(i -> remove.contains(i.id()))) {
                throw new ApiException(ApiError.INVALID_CONFIGURATION, "remove_instances: every instance of CRDB " + guid
                        + " would go; delete the CRDB instead");
            }
            List<Instance> instances = new ArrayList<>();
            for (Instance i : current.instances()) {
                instances.add(remove.contains(i.id()) ? i.withMembership(CrdbConfigEvent.Membership.LEAVING) : i);
            }
            if (force) {
                CrdbConfigured marked = new CrdbConfigured(CrdbConfigured.VERSION, guid, current.generation(), current.name(),
                        current.encryption(), current.causalConsistency(), current.defaultDbConfig(), instances, current.forceCounter(),
                        clock.instant());
                TaskUpdated task = tasks.queued(tasks.newId(taskId), guid, "update_crdb", current.generation() + 1);
                return dryRun ? TaskService.render(task) : run(task, () -> removal(marked));
            }
            CrdbConfigured next = next(current, instances);
            TaskUpdated task = tasks.queued(tasks.newId(taskId), guid, "update_crdb", next.generation() + 1);
            return dryRun ? TaskService.render(task) : run(task, () -> List.of(next));
        });
    }

    /**
     * The second step of a membership change, once {@code MembershipProgress} finds the first applied: joining instances
     * become active, leaving ones are removed. Does nothing when the CRDB moved on meanwhile (deleted, or not at
     * {@code generation}).
     */
    public void completeMembership(String guid, long generation) {
        state.change(() -> {
            CrdbConfigured current = state.crdb(guid).orElse(null);
            if (current == null || current.generation() != generation || !current.membershipChanging()) {
                return null;
            }
            boolean leaving = current.instances().stream().anyMatch(i -> i.membership() == CrdbConfigEvent.Membership.LEAVING);
            List<Instance> instances = current.instances().stream()
                    .map(i -> i.membership() == CrdbConfigEvent.Membership.JOINING ? i.withMembership(CrdbConfigEvent.Membership.ACTIVE) : i)
                    .toList();
            if (leaving) {
                state.write(bdbs.withTrustAfter(removal(current))); // trust computed from the state without the removed bdbs
            } else {
                state.write(List.of(next(current, instances)));
            }
            tracker.poke();
            LOG.infof("crdb %s: membership change done at generation %d", guid, generation + 1);
            return null;
        });
    }

    /** The leaving instances of {@code leaving} removed: their bdbs deleted, the CRDB without them one generation on. */
    private List<SuiteEvent> removal(CrdbConfigured leaving) {
        List<SuiteEvent> out = new ArrayList<>();
        List<Instance> staying = new ArrayList<>();
        for (Instance i : leaving.instances()) {
            if (i.membership() == CrdbConfigEvent.Membership.LEAVING) {
                state.bdb(i.bdbUid()).ifPresent(b -> out.add(new BdbDeleted(BdbDeleted.VERSION, b.uid(), b.generation() + 1,
                        b.cluster(), clock.instant())));
            } else {
                staying.add(i);
            }
        }
        out.add(next(leaving, staying));
        return out;
    }

    private CrdbConfigured next(CrdbConfigured c, List<Instance> instances) {
        return new CrdbConfigured(CrdbConfigured.VERSION, c.guid(), c.generation() + 1, c.name(), c.encryption(), c.causalConsistency(),
                c.defaultDbConfig(), instances, c.forceCounter(), clock.instant());
    }

    /** One membership change at a time, and no other change of the CRDB during one. */
    private static void notChanging(CrdbConfigured c) {
        if (c.membershipChanging()) {
            throw new ApiException(ApiError.BUSY, "CRDB " + c.guid() + ": instance(s) " + c.instances().stream()
                    .filter(i -> i.membership() != CrdbConfigEvent.Membership.ACTIVE).map(i -> i.id() + " (" + i.cluster() + ", "
                            + i.membership().name().toLowerCase() + ")").toList()
                    + " are joining or leaving; retry once that task is done (a leaving instance can be removed at once with force)");
        }
    }

    /** PATCH /v1/crdbs/{guid} and POST .../updates: changed fields only, {@code default_db_config} merged. */
    public ObjectNode update(String guid, ObjectNode patch, boolean force, boolean dryRun, String taskId) {
        onlyFields(patch, "", UPDATE_FIELDS);
        if (patch.get("default_db_config") instanceof ObjectNode c) {
            dbConfigFields(c, "default_db_config.");
        }
        return state.change(() -> {
            CrdbConfigured current = require(guid);
            notChanging(current);
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
        List<SuiteEvent> changes = change.get();
        if (changes.stream().anyMatch(e -> e instanceof BdbDeleted)) {
            // the task as queued, the deletion with the trust that follows from it, the task as started: one transaction
            List<SuiteEvent> out = new ArrayList<>();
            out.add(queued);
            out.addAll(bdbs.withTrustAfter(changes));
            out.add(started);
            state.write(out);
        } else {
            // the task as queued, the change, the task as started: sent together, awaited once (a switch of 100 CRDBs
            // is 100 of these one after the other, under the writer lock)
            List<SuiteEvent> out = new ArrayList<>();
            out.add(queued);
            out.addAll(changes);
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
    private static String replicationEndpoint(String path, String value) {
        try {
            return RedisAddress.parseTcp(value).toString();
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_VALUE, path + ".cluster.replication_endpoint: " + e.getMessage());
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
            if (i.membership() != CrdbConfigEvent.Membership.ACTIVE) { // not in RE's object: shown while it joins or leaves
                io.put("membership", i.membership().name().toLowerCase());
            }
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
                if (!(status.get(org.redissync.events.SyncerStatusEvent.channelKey(to.cluster(), id)) instanceof org.redissync.events.SyncerStatusEvent.ChannelStatus s)) {
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
