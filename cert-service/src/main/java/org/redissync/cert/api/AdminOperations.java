package org.redissync.cert.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Singleton;

import org.redissync.cert.config.CertServiceConfig;
import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;
import org.redissync.cert.registry.CertificateService;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.identity.PeerIdentity;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * cert-service's administrative calls: Redis Enterprise's {@code update_cert} and certificate list, rotation, and the
 * keeping of Replica Of client keys and source passwords. They carry private keys and secrets, so they are served only
 * on the TLS listener, and only to a caller that proves two things: it holds a certificate of this CA naming an
 * {@code api} identity of a cluster allowed that role (the coordinator's), and it sends the admin token.
 */
@Singleton
public class AdminOperations {

    private final CertificateService service;
    private final CertServiceConfig config;
    private final ObjectMapper json;

    AdminOperations(CertificateService service, CertServiceConfig config, ObjectMapper json) {
        this.service = service;
        this.config = config;
        // Quarkus's mapper ignores unknown fields; a field these calls do not take is refused by name instead
        this.json = json.copy().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public record UpdateCert(String name, String key, String certificate, String cluster) {
        @Override
        public String toString() {
            return "UpdateCert[" + name + ", key=[hidden]]";
        }
    }

    public record CertificateList(List<UpdateCert> certificates, String cluster) {
    }

    /** A Replica Of destination's certificate and key ({@code replica_sources[].client_cert/client_key}), from the coordinator. */
    public record ClientKey(String certificate, String key) {
        @Override
        public String toString() {
            return "ClientKey[key=[hidden]]";
        }
    }

    /** A Replica Of source's password, from the coordinator. */
    public record Secret(String secret) {
        @Override
        public String toString() {
            return "Secret[hidden]";
        }
    }

    public record RotateRequest(String name) {
    }

    /** Who calls: the verified client certificate (null without one) and the bearer token (null without one). */
    public record Caller(X509Certificate certificate, String token) {
        @Override
        public String toString() {
            return "Caller[" + (certificate == null ? "no certificate" : certificate.getSubjectX500Principal()) + ", token=[hidden]]";
        }
    }

    /** Refuses anyone but the control plane's API: its certificate, then the admin token. */
    public void requireAdmin(Caller caller) {
        if (caller.certificate() == null || !isApiIdentity(caller.certificate())) {
            throw new CertException(CertError.ADMIN_IDENTITY_REQUIRED, "administrative calls need the API's client certificate (an api "
                    + "identity of this CA) on cert-service's TLS listener");
        }
        String presented = caller.token();
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                config.adminToken().getBytes(StandardCharsets.UTF_8))) {
            throw new CertException(CertError.UNAUTHENTICATED, "this call needs the admin token");
        }
    }

    private boolean isApiIdentity(X509Certificate leaf) {
        List<String> uris = PeerIdentity.uris(leaf);
        return config.clusters().entrySet().stream().anyMatch(c -> c.getValue().roles().contains(CertRole.API.wire())
                && uris.contains(PeerIdentity.of(c.getKey(), CertRole.API.wire())));
    }

    /** {@code {"proxy_cert", "syncer_cert", "api_cert"}}: a cluster's current public chains (null where none yet); public. */
    public Map<String, String> certificates(String cluster) {
        Map<CertRole, RoleCertificatesPublished> current = service.current(requireCluster(cluster));
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (CertRole role : CertRole.values()) {
            RoleCertificatesPublished r = current.get(role);
            out.put(role.wire() + "_cert", r == null ? null : r.current().chainPem());
        }
        return out;
    }

    /** Keeps a client identity's key for {@code cluster}'s syncer-service (never published, never returned). */
    public Map<String, Object> clientKey(Caller caller, String id, String cluster, String body) {
        requireAdmin(caller);
        ClientKey k = read(body, ClientKey.class, "body must be {\"certificate\", \"key\"}");
        return Map.of("id", id, "fingerprint", service.supplyClientKey(requireCluster(cluster), id, k.certificate(), k.key()));
    }

    /** Keeps a secret for {@code cluster}'s syncer-service (never published, never returned). */
    public Map<String, Object> secret(Caller caller, String id, String cluster, String body) {
        requireAdmin(caller);
        Secret s = read(body, Secret.class, "body must be {\"secret\"}");
        service.supplySecret(requireCluster(cluster), id, s.secret());
        return Map.of("id", id);
    }

    /** Redis Enterprise's {@code update_cert}: one operator-supplied certificate and its key. */
    public Map<String, Object> updateCert(Caller caller, String cluster, String body) {
        requireAdmin(caller);
        UpdateCert u = read(body, UpdateCert.class, "body must be {\"name\", \"key\", \"certificate\"}");
        String c = requireCluster(cluster != null ? cluster : u.cluster());
        return summary(service.supply(c, List.of(new CertificateService.Supplied(u.name(), u.certificate(), u.key()))));
    }

    /** The list form: all or nothing. */
    public Map<String, Object> updateCertificates(Caller caller, String cluster, String body) {
        requireAdmin(caller);
        CertificateList list = read(body, CertificateList.class, "body must be {\"certificates\": [{\"name\", \"certificate\", \"key\"}]}");
        if (list.certificates() == null) {
            throw new CertException(CertError.INVALID_REQUEST, "body must be {\"certificates\": [{\"name\", \"certificate\", \"key\"}]}");
        }
        String c = requireCluster(cluster != null ? cluster : list.cluster());
        List<CertificateService.Supplied> items = new ArrayList<>();
        for (UpdateCert u : list.certificates()) {
            items.add(new CertificateService.Supplied(u.name(), u.certificate(), u.key()));
        }
        return summary(service.supply(c, items));
    }

    /** Asks the owners to re-key and request fresh certificates now (one role, or all; one cluster, or all). */
    public Map<String, Object> rotate(Caller caller, String cluster, String body) {
        requireAdmin(caller);
        Optional<String> role = body == null || body.isBlank() ? Optional.empty()
                : Optional.ofNullable(read(body, RotateRequest.class, "body must be {\"name\"} or empty").name());
        return Map.of("rotating", service.rotate(Optional.ofNullable(cluster), role));
    }

    /** A cluster named, and configured. */
    public String requireCluster(String cluster) {
        if (cluster == null || cluster.isBlank()) {
            throw new CertException(CertError.INVALID_REQUEST, "say which cluster: ?cluster=<name>");
        }
        if (!service.knowsCluster(cluster)) {
            throw new CertException(CertError.UNKNOWN_CLUSTER, "no cluster named '" + cluster + "' is configured");
        }
        return cluster;
    }

    private <T> T read(String body, Class<T> type, String shape) {
        if (body == null || body.isBlank()) {
            throw new CertException(CertError.INVALID_REQUEST, shape);
        }
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw new CertException(CertError.INVALID_REQUEST, shape);
            }
            return value;
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new CertException(CertError.INVALID_REQUEST, "unknown field '" + e.getPropertyName() + "'; " + shape);
        } catch (java.io.IOException e) {
            throw new CertException(CertError.INVALID_REQUEST, shape);
        }
    }

    private static Map<String, Object> summary(List<RoleCertificatesPublished> published) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RoleCertificatesPublished p : published) {
            out.add(Map.of("name", p.role().wire(), "generation", p.generation(), "fingerprint", p.current().fingerprintSha256(),
                    "not_after", p.current().notAfter().toString()));
        }
        return Map.of("certificates", out);
    }
}
