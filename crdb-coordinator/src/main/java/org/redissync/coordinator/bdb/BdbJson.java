package org.redissync.coordinator.bdb;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.events.RedisAddress;
import org.redissync.events.BdbConfigEvent.AuthorizedSubject;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.ReplicaSource;
import org.redissync.events.SubjectValidation;
import org.redissync.events.TlsMode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Redis Enterprise bdb object, field by field: rendering the stored state as RE's JSON, and
 * reading RE's JSON (a full body, or a partial PUT body laid over the current object) into a
 * validated {@link BdbSpec}. Every refusal names the field.
 */
public final class BdbJson {

    private static final Logger LOG = Logger.getLogger(BdbJson.class);
    public static final ObjectMapper MAPPER = new ObjectMapper();
    static final int MAX_SOURCES = 32;

    /**
     * Fields the server sets. In an update (a script's GET-modify-PUT) each must be what the bdb has; in a create, only
     * {@code uid} is taken (RE's optional uid). Anything else is refused by name.
     */
    static final Set<String> READ_ONLY = Set.of("uid", "status", "status_reason", "endpoints", "crdt", "crdt_guid", "generation",
            "version", "authentication_ssl_crdt_certs");

    /**
     * Redis Enterprise bdb fields for which this suite does exactly one thing (one shard, no replica shard, no
     * clustering, one endpoint): that value is accepted, any other is refused by name.
     */
    /** A Replica Of source's fields; and what GET shows of its status, taken back unread in a GET-modify-PUT. */
    static final Set<String> SOURCE_FIELDS = Set.of("uid", "uri", "encryption", "server_cert", "replication_tls_sni", "compression",
            "client_cert", "client_key");
    static final Set<String> SOURCE_STATUS = Set.of("status", "lag", "last_error", "last_update");

    static final Map<String, JsonNode> FIXED = Map.of(
            "type", JsonNodeFactory.instance.textNode("redis"),
            "sharding", JsonNodeFactory.instance.booleanNode(false),
            "shards_count", JsonNodeFactory.instance.numberNode(1),
            "replication", JsonNodeFactory.instance.booleanNode(false),
            "oss_cluster", JsonNodeFactory.instance.booleanNode(false),
            "proxy_policy", JsonNodeFactory.instance.textNode("single"),
            // no internode traffic to encrypt: a shard lives beside its syncer-service
            "data_internode_encryption", JsonNodeFactory.instance.booleanNode(false),
            // RE's deprecated switch for client TLS; tls_mode says it
            "ssl", JsonNodeFactory.instance.booleanNode(false));
    static final Set<String> WRITABLE = Set.of("name", "port", "memory_size", "cluster", "backend", "tls_mode",
            "enforce_client_authentication", "authentication_ssl_client_certs",
            "client_cert_subject_validation_type", "authorized_subjects", "authorized_names", "mtls_allow_outdated_certs",
            "mtls_allow_weak_hashing", "replica_sources", "replica_sync", "max_connections", "eviction_policy", "data_persistence");

    /** RE's {@code eviction_policy} values: Redis's {@code maxmemory-policy}. */
    static final Set<String> EVICTION_POLICIES = Set.of("noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru",
            "volatile-lfu", "volatile-random", "volatile-ttl");

    private BdbJson() {
    }

    /** Whether {@code field} is one of RE's bdb fields this suite takes at one value only ({@link #FIXED}). */
    public static boolean isFixed(String field) {
        return FIXED.containsKey(field);
    }

    /** A {@link #FIXED} field at another value than its one is refused, named with its {@code path}. */
    public static void checkFixed(String path, String field, JsonNode value) {
        if (!FIXED.get(field).equals(BY_VALUE, value)) {
            throw new ApiException(ApiError.INVALID_SCHEMA, path + field + ": this suite supports only " + FIXED.get(field) + " ("
                    + why(field) + ")");
        }
    }

    /** JSON equality where 1 and 1L (and 1.0) are the same number: what a client sends back is parsed, not what we made. */
    private static final java.util.Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private static String why(String field) {
        return switch (field) {
            case "type" -> "Redis databases; no Memcached";
            case "sharding", "shards_count", "oss_cluster", "proxy_policy" -> "each bdb is one redis-server behind one endpoint";
            case "replication" -> "no replica shard: a bdb's redis-server is restarted by its syncer-service";
            case "data_internode_encryption" -> "a bdb's redis-server runs beside its syncer-service; nothing crosses nodes";
            case "ssl" -> "deprecated in RE: use tls_mode";
            default -> "";
        };
    }

    /** Parses a request body; 400 malformed_request unless it is a JSON object. */
    public static ObjectNode body(String text) {
        if (text == null || text.isBlank()) {
            throw new ApiException(ApiError.MALFORMED_JSON, "the request needs a JSON object body");
        }
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || !n.isObject()) {
                throw new ApiException(ApiError.MALFORMED_JSON, "the request body must be a JSON object");
            }
            return (ObjectNode) n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(ApiError.MALFORMED_JSON, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * {@code base} (the bdb as rendered, or empty for a create) with the writable fields of {@code request} laid over it.
     * Nothing is ignored: an unknown field, a field RE has that this suite does not support (or not with that value), and
     * a read-only field that differs from the bdb's are refused, naming the field ({@code 400 invalid_schema}).
     */
    public static ObjectNode overlay(ObjectNode base, ObjectNode request) {
        boolean creating = base.isEmpty();
        ObjectNode merged = base.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = request.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            String k = f.getKey();
            if (WRITABLE.contains(k)) {
                merged.set(k, f.getValue());
            } else if (FIXED.containsKey(k)) {
                checkFixed("", k, f.getValue());
            } else if (READ_ONLY.contains(k)) {
                if (creating ? !k.equals("uid") : base.get(k) == null || !base.get(k).equals(BY_VALUE, f.getValue())) {
                    throw new ApiException(ApiError.INVALID_SCHEMA, k + ": read-only, set by the suite"
                            + (creating ? "" : " (this bdb's is " + base.get(k) + ")"));
                }
            } else {
                throw new ApiException(ApiError.INVALID_SCHEMA, k + ": not a bdb field this suite supports (writable: "
                        + WRITABLE.stream().sorted().toList() + ")");
            }
        }
        if (request.has("authorized_names") && !request.has("authorized_subjects")) {
            merged.remove("authorized_subjects");
        }
        if (request.has("replica_sources") && !request.has("replica_sync")) {
            merged.remove("replica_sync");
        }
        return merged;
    }

    /**
     * Reads and checks every field. {@code now} decides certificate expiry, checked for certificates
     * not already in {@code accepted} (a certificate accepted earlier that has since expired does not
     * block unrelated changes; the endpoint refuses it anyway).
     */
    public static BdbSpec parse(ObjectNode n, Instant now, Set<String> accepted) {
        String name = string(n, "name", null);
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,62}")) {
            throw invalid("name", "a name of letters, digits, '-' and '_' (at most 63) is required");
        }
        Integer port = n.hasNonNull("port") ? integer(n, "port", 1024, 65535) : null;
        long memory = n.hasNonNull("memory_size") ? longValue(n, "memory_size", 1) : 100L * 1024 * 1024;
        String cluster = string(n, "cluster", null);
        String backend = string(n, "backend", null);
        if (backend != null) {
            try {
                backend = RedisAddress.parse(backend).toString();
            } catch (IllegalArgumentException e) {
                throw invalid("backend", e.getMessage());
            }
        }
        TlsMode tlsMode = enumValue(n, "tls_mode", TlsMode.DISABLED, Map.of("disabled", TlsMode.DISABLED, "enabled", TlsMode.ENABLED,
                "replica_ssl", TlsMode.REPLICA_SSL));
        boolean enforce = enumValue(n, "enforce_client_authentication", Boolean.TRUE, Map.of("enabled", Boolean.TRUE,
                "disabled", Boolean.FALSE));
        List<String> clientCerts = certList(n, "authentication_ssl_client_certs", now, accepted);
        SubjectValidation validation = enumValue(n, "client_cert_subject_validation_type", SubjectValidation.DISABLED,
                Map.of("disabled", SubjectValidation.DISABLED, "san_cn", SubjectValidation.SAN_CN, "full_subject",
                        SubjectValidation.FULL_SUBJECT));
        List<AuthorizedSubject> subjects = subjects(n);
        if (validation != SubjectValidation.DISABLED && subjects.isEmpty()) {
            throw new ApiException(ApiError.INVALID_CONFIGURATION,
                    "client_cert_subject_validation_type " + n.get("client_cert_subject_validation_type").asText()
                            + " needs at least one authorized_subjects entry");
        }
        boolean outdated = bool(n, "mtls_allow_outdated_certs", false);
        boolean weak = bool(n, "mtls_allow_weak_hashing", false);
        Map<Integer, BdbSpec.Secret> sourceKeys = new java.util.HashMap<>();
        List<ReplicaSource> sources = sources(n, now, sourceKeys);
        String replicaSync = enumValue(n, "replica_sync", sources.isEmpty() ? "disabled" : "enabled",
                Map.of("disabled", "disabled", "enabled", "enabled", "paused", "paused", "stopped", "stopped"));
        int maxConnections = n.hasNonNull("max_connections") ? integer(n, "max_connections", 0, Integer.MAX_VALUE) : 0;
        String eviction = n.hasNonNull("eviction_policy") ? string(n, "eviction_policy", null) : null;
        if (eviction != null && !EVICTION_POLICIES.contains(eviction)) {
            throw invalid("eviction_policy", "one of " + EVICTION_POLICIES.stream().sorted().toList());
        }
        String persistence = n.hasNonNull("data_persistence") ? enumValue(n, "data_persistence", "disabled",
                Map.of("disabled", "disabled", "aof", "aof", "snapshot", "snapshot")) : null;
        return new BdbSpec(name, port, memory, cluster, backend, tlsMode, enforce, clientCerts, validation, subjects,
                outdated, weak, sources, replicaSync, maxConnections, eviction, persistence, Map.copyOf(sourceKeys));
    }

    // ------------------------------------------------------------------------------- rendering

    /** The stored bdb as Redis Enterprise's bdb object. */
    public static ObjectNode render(BdbConfigured b, String endpointHost, String status, Map<Integer, ObjectNode> sourceStatus) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("uid", b.uid());
        o.put("name", b.name());
        o.put("type", "redis");
        o.put("port", b.port());
        o.put("memory_size", b.memorySize());
        o.put("max_connections", b.maxConnections());
        o.put("cluster", b.cluster());
        if (b.backend() != null) {
            o.put("backend", b.backend()); // an external Redis; without one the cluster runs the bdb's own
        }
        o.put("eviction_policy", b.effectiveEvictionPolicy());
        o.put("data_persistence", b.effectiveDataPersistence());
        o.put("generation", b.generation());
        o.put("status", status);
        o.put("crdt", b.crdbGuid() != null);
        if (b.crdbGuid() != null) {
            o.put("crdt_guid", b.crdbGuid());
        }
        ArrayNode endpoints = o.putArray("endpoints");
        ObjectNode ep = endpoints.addObject();
        ep.put("dns_name", endpointHost);
        ep.putArray("addr").add(endpointHost);
        ep.put("port", b.port());
        var tls = b.tls();
        o.put("tls_mode", tls.tlsMode().wire());
        o.put("enforce_client_authentication", tls.enforceClientAuthentication() ? "enabled" : "disabled");
        ArrayNode cc = o.putArray("authentication_ssl_client_certs");
        tls.clientCerts().forEach(c -> cc.addObject().put("client_cert", c));
        ArrayNode crdt = o.putArray("authentication_ssl_crdt_certs");
        tls.crdtCerts().forEach(c -> crdt.addObject().put("client_cert", c));
        o.put("client_cert_subject_validation_type", switch (tls.subjectValidation()) {
            case DISABLED -> "disabled";
            case SAN_CN -> "san_cn";
            case FULL_SUBJECT -> "full_subject";
        });
        ArrayNode subjects = o.putArray("authorized_subjects");
        ArrayNode names = o.putArray("authorized_names");
        for (AuthorizedSubject s : tls.authorizedSubjects()) {
            ObjectNode so = subjects.addObject();
            so.put("CN", s.cn());
            putIf(so, "O", s.o());
            if (!s.ou().isEmpty()) {
                ArrayNode ou = so.putArray("OU");
                s.ou().forEach(ou::add);
            }
            putIf(so, "L", s.l());
            putIf(so, "ST", s.st());
            putIf(so, "C", s.c());
            names.add(s.cn());
        }
        o.put("mtls_allow_outdated_certs", tls.allowOutdatedCerts());
        o.put("mtls_allow_weak_hashing", tls.allowWeakHashing());
        ArrayNode sources = o.putArray("replica_sources");
        for (ReplicaSource s : b.replicaSources()) {
            ObjectNode so = sources.addObject();
            so.put("uid", s.uid());
            so.put("uri", s.uri());
            so.put("encryption", s.encryption());
            if (s.serverCert() != null) {
                so.put("server_cert", s.serverCert());
            }
            if (s.replicationTlsSni() != null) {
                so.put("replication_tls_sni", s.replicationTlsSni());
            }
            so.put("compression", s.compression());
            if (s.clientCert() != null) {
                so.put("client_cert", s.clientCert()); // its key is never shown (cert-service keeps it)
            }
            ObjectNode st = sourceStatus.get(s.uid());
            if (st != null) {
                so.setAll(st);
            } else {
                so.put("status", "out-of-sync");
            }
        }
        o.put("replica_sync", b.replicaSync());
        return o;
    }

    private static void putIf(ObjectNode o, String k, String v) {
        if (v != null) {
            o.put(k, v);
        }
    }

    // ---------------------------------------------------------------------------------- fields

    private static List<String> certList(ObjectNode n, String field, Instant now, Set<String> accepted) {
        JsonNode a = n.get(field);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw invalid(field, "a list of {\"client_cert\": \"<PEM>\"} expected");
        }
        List<String> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode e = a.get(i);
            JsonNode pem = e.isObject() ? e.get("client_cert") : e;
            if (pem == null || !pem.isTextual()) {
                throw invalid(field + "[" + i + "]", "{\"client_cert\": \"<PEM>\"} expected");
            }
            List<X509Certificate> chain = Certificates.parse(pem.asText(), field + "[" + i + "]");
            if (!accepted.contains(pem.asText())) {
                Certificates.requireCurrent(chain, now, field + "[" + i + "]");
            }
            String fp = Certificates.fingerprint(chain.get(0));
            Integer before = seen.putIfAbsent(fp, i);
            if (before != null) {
                throw new ApiException(ApiError.DUPLICATED_CERTS, field + ": entries " + before + " and " + i + " hold the same certificate");
            }
            out.add(pem.asText());
        }
        return out;
    }

    private static List<AuthorizedSubject> subjects(ObjectNode n) {
        JsonNode a = n.get("authorized_subjects");
        if (a == null || a.isNull()) {
            JsonNode names = n.get("authorized_names");
            if (names == null || names.isNull()) {
                return List.of();
            }
            if (!names.isArray()) {
                throw invalid("authorized_names", "a list of common names expected");
            }
            LOG.warn("authorized_names is deprecated since Redis Enterprise 6.4.2: translated to authorized_subjects (CN only)");
            List<AuthorizedSubject> out = new ArrayList<>();
            for (JsonNode cn : names) {
                if (!cn.isTextual() || cn.asText().isBlank()) {
                    throw new ApiException(ApiError.INVALID_SUBJECT, "authorized_names: every entry must be a non-empty string");
                }
                out.add(new AuthorizedSubject(cn.asText(), null, List.of(), null, null, null));
            }
            return out;
        }
        if (!a.isArray()) {
            throw new ApiException(ApiError.INVALID_SUBJECT, "authorized_subjects: a list of subjects expected");
        }
        List<AuthorizedSubject> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode s = a.get(i);
            String at = "authorized_subjects[" + i + "]";
            if (!s.isObject()) {
                throw new ApiException(ApiError.INVALID_SUBJECT, at + ": an object {\"CN\", \"O\", \"OU\", \"L\", \"ST\", \"C\"} expected");
            }
            String cn = subjectString(s, "CN", at);
            if (cn == null || cn.isBlank()) {
                throw new ApiException(ApiError.INVALID_SUBJECT, at + ": CN is required");
            }
            String c = subjectString(s, "C", at);
            if (c != null && !c.matches("[A-Za-z]{2}")) {
                throw new ApiException(ApiError.INVALID_SUBJECT, at + ": C must be a two-letter country code");
            }
            List<String> ou = new ArrayList<>();
            JsonNode oun = s.get("OU");
            if (oun != null && !oun.isNull()) {
                if (oun.isTextual()) {
                    ou.add(oun.asText());
                } else if (oun.isArray()) {
                    for (JsonNode u : oun) {
                        if (!u.isTextual()) {
                            throw new ApiException(ApiError.INVALID_SUBJECT, at + ": OU entries must be strings");
                        }
                        ou.add(u.asText());
                    }
                } else {
                    throw new ApiException(ApiError.INVALID_SUBJECT, at + ": OU must be a string or a list of strings");
                }
            }
            out.add(new AuthorizedSubject(cn, subjectString(s, "O", at), ou, subjectString(s, "L", at), subjectString(s, "ST", at), c));
        }
        return out;
    }

    private static String subjectString(JsonNode s, String k, String at) {
        JsonNode v = s.get(k);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ApiException(ApiError.INVALID_SUBJECT, at + ": " + k + " must be a string");
        }
        return v.asText();
    }

    private static List<ReplicaSource> sources(ObjectNode n, Instant now, Map<Integer, BdbSpec.Secret> keys) {
        JsonNode a = n.get("replica_sources");
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, "replica_sources: a list expected");
        }
        if (a.size() > MAX_SOURCES) {
            throw new ApiException(ApiError.TOO_MANY_SOURCES, "replica_sources: at most " + MAX_SOURCES + " sources, got " + a.size());
        }
        List<ReplicaSource> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode s = a.get(i);
            String at = "replica_sources[" + i + "]";
            if (!s.isObject()) {
                throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, at + ": an object expected");
            }
            s.fieldNames().forEachRemaining(k -> {
                if (!SOURCE_FIELDS.contains(k) && !SOURCE_STATUS.contains(k)) {
                    throw new ApiException(ApiError.INVALID_SCHEMA, at + "." + k + ": not a replica source field this suite supports "
                            + "(supported: " + SOURCE_FIELDS.stream().sorted().toList() + ")");
                }
            });
            JsonNode uri = s.get("uri");
            if (uri == null || !uri.isTextual() || parseRedisUri(uri.asText()) == null) {
                throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, at + ".uri: redis://[user:password@]host:port expected");
            }
            boolean encryption = s.has("encryption") ? boolField(s.get("encryption"), at + ".encryption") : false;
            String serverCert = null;
            JsonNode sc = s.get("server_cert");
            if (sc != null && !sc.isNull()) {
                if (!sc.isTextual()) {
                    throw new ApiException(ApiError.INVALID_CERTIFICATE, at + ".server_cert: a PEM string expected");
                }
                var chain = Certificates.parse(sc.asText(), at + ".server_cert");
                Certificates.requireCurrent(chain, now, at + ".server_cert");
                serverCert = sc.asText();
            }
            int compression = 0;
            if (s.hasNonNull("compression")) {
                JsonNode c = s.get("compression");
                if (!c.isInt() || c.asInt() < 0 || c.asInt() > 6) {
                    throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, at + ".compression: 0 to 6");
                }
                compression = c.asInt();
            }
            String sni = s.hasNonNull("replication_tls_sni") ? s.get("replication_tls_sni").asText() : null;
            int uid = s.hasNonNull("uid") && s.get("uid").canConvertToInt() ? s.get("uid").asInt() : i + 1;
            String clientCert = null;
            JsonNode cc = s.get("client_cert");
            if (cc != null && !cc.isNull()) {
                if (!cc.isTextual()) {
                    throw new ApiException(ApiError.INVALID_CERTIFICATE, at + ".client_cert: a PEM string expected");
                }
                var chain = Certificates.parse(cc.asText(), at + ".client_cert");
                Certificates.requireCurrent(chain, now, at + ".client_cert");
                if (!encryption) {
                    throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, at + ".client_cert: a client certificate is presented over TLS "
                            + "only: set encryption true");
                }
                clientCert = cc.asText();
            }
            JsonNode ck = s.get("client_key");
            if (ck != null && !ck.isNull()) {
                if (!ck.isTextual() || clientCert == null) {
                    throw new ApiException(ApiError.INVALID_REPLICA_SOURCE, at + ".client_key: a PEM private key, with client_cert");
                }
                keys.put(uid, new BdbSpec.Secret(ck.asText()));
            }
            out.add(new ReplicaSource(uid, uri.asText(), encryption, serverCert, sni, compression, clientCert, null));
        }
        return out;
    }

    /** host and port of a {@code redis://[user:password@]host:port} URI, or null when it is not one. */
    public static URI parseRedisUri(String text) {
        try {
            URI u = URI.create(text);
            if (!"redis".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1 || u.getPort() > 65535) {
                return null;
            }
            return u;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String string(ObjectNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw invalid(field, "a string expected");
        }
        return v.asText();
    }

    private static int integer(ObjectNode n, String field, int min, int max) {
        JsonNode v = n.get(field);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw invalid(field, "an integer from " + min + " to " + max + " expected");
        }
        return v.asInt();
    }

    private static long longValue(ObjectNode n, String field, long min) {
        JsonNode v = n.get(field);
        if (!v.isIntegralNumber() || v.asLong() < min) {
            throw invalid(field, "an integer of at least " + min + " expected");
        }
        return v.asLong();
    }

    private static boolean bool(ObjectNode n, String field, boolean dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        return boolField(v, field);
    }

    private static boolean boolField(JsonNode v, String field) {
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual() && Set.of("enabled", "disabled").contains(v.asText())) {
            return "enabled".equals(v.asText());
        }
        throw invalid(field, "true or false expected");
    }

    private static <T> T enumValue(ObjectNode n, String field, T dflt, Map<String, T> values) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual() || !values.containsKey(v.asText())) {
            throw invalid(field, "one of " + new java.util.TreeSet<>(values.keySet()) + " expected");
        }
        return values.get(v.asText());
    }

    private static ApiException invalid(String field, String what) {
        return new ApiException(ApiError.INVALID_VALUE, field + ": " + what);
    }
}
