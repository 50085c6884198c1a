package org.redissync.cert.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.redissync.cert.config.CertServiceConfig;
import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;
import org.redissync.cert.registry.CertificateService;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The cluster certificate API (Redis Enterprise's {@code /v1/cluster/...certificates} paths, for a
 * named cluster) and the CA certificate. Never returns a private key. CSR signing and key delivery
 * carry secrets, so they are served only on the TLS listener ({@code tls.ClusterTlsServer}).
 */
@Path("/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class CertificatesResource {

    private final CertificateService service;
    private final CertServiceConfig config;

    CertificatesResource(CertificateService service, CertServiceConfig config) {
        this.service = service;
        this.config = config;
    }

    /** {@code {"proxy_cert", "syncer_cert", "api_cert"}}: the current public chains (null where none yet). */
    @GET
    @Path("/certificates")
    public Map<String, String> certificates(@QueryParam("cluster") String cluster) {
        String c = requireCluster(cluster);
        Map<CertRole, RoleCertificatesPublished> current = service.current(c);
        Map<String, String> out = new LinkedHashMap<>();
        for (CertRole role : CertRole.values()) {
            RoleCertificatesPublished r = current.get(role);
            out.put(role.wire() + "_cert", r == null ? null : r.current().chainPem());
        }
        return out;
    }

    /** The CA certificate to trust, PEM: the suite's trust bootstrap. */
    @GET
    @Path("/certificates/ca")
    @Produces("application/x-pem-file")
    public String ca() {
        return service.caPem();
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

    /** Keeps a client identity's key for {@code cluster}'s syncer-service (never published, never returned here). */
    @PUT
    @Path("/client_keys/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> clientKey(@PathParam("id") String id, @QueryParam("cluster") String cluster,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, ClientKey body) {
        requireAdmin(authorization);
        if (body == null) {
            throw new CertException(CertError.INVALID_REQUEST, "body must be {\"certificate\", \"key\"}");
        }
        String fingerprint = service.supplyClientKey(requireCluster(cluster), id, body.certificate(), body.key());
        return Map.of("id", id, "fingerprint", fingerprint);
    }

    /** A Replica Of source's password, from the coordinator. */
    public record Secret(String secret) {
        @Override
        public String toString() {
            return "Secret[hidden]";
        }
    }

    /** Keeps a secret for {@code cluster}'s syncer-service (never published, never returned here). */
    @PUT
    @Path("/secrets/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> secret(@PathParam("id") String id, @QueryParam("cluster") String cluster,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, Secret body) {
        requireAdmin(authorization);
        if (body == null) {
            throw new CertException(CertError.INVALID_REQUEST, "body must be {\"secret\"}");
        }
        service.supplySecret(requireCluster(cluster), id, body.secret());
        return Map.of("id", id);
    }

    /** Redis Enterprise's {@code update_cert}: one operator-supplied certificate and its key. */
    @PUT
    @Path("/update_cert")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> updateCert(@QueryParam("cluster") String cluster,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, UpdateCert body) {
        requireAdmin(authorization);
        if (body == null) {
            throw new CertException(CertError.INVALID_REQUEST, "body must be {\"name\", \"key\", \"certificate\"}");
        }
        String c = requireCluster(cluster != null ? cluster : body.cluster());
        var published = service.supply(c, List.of(new CertificateService.Supplied(body.name(), body.certificate(), body.key())));
        return summary(published);
    }

    /** The list form: all or nothing. */
    @PUT
    @Path("/certificates")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Object> updateCertificates(@QueryParam("cluster") String cluster,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, CertificateList body) {
        requireAdmin(authorization);
        if (body == null || body.certificates() == null) {
            throw new CertException(CertError.INVALID_REQUEST, "body must be {\"certificates\": [{\"name\", \"certificate\", \"key\"}]}");
        }
        String c = requireCluster(cluster != null ? cluster : body.cluster());
        List<CertificateService.Supplied> items = new ArrayList<>();
        for (UpdateCert u : body.certificates()) {
            items.add(new CertificateService.Supplied(u.name(), u.certificate(), u.key()));
        }
        return summary(service.supply(c, items));
    }

    public record RotateRequest(String name) {
    }

    /** Asks the owners to re-key and request fresh certificates now (one role, or all; one cluster, or all). */
    @POST
    @Path("/certificates/rotate")
    public Map<String, Object> rotate(@QueryParam("cluster") String cluster, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            RotateRequest body) {
        requireAdmin(authorization);
        Optional<String> role = Optional.ofNullable(body).map(RotateRequest::name);
        return Map.of("rotating", service.rotate(Optional.ofNullable(cluster), role));
    }

    private static Map<String, Object> summary(List<RoleCertificatesPublished> published) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RoleCertificatesPublished p : published) {
            out.add(Map.of("name", p.role().wire(), "generation", p.generation(), "fingerprint", p.current().fingerprintSha256(),
                    "not_after", p.current().notAfter().toString()));
        }
        return Map.of("certificates", out);
    }

    private String requireCluster(String cluster) {
        if (cluster == null || cluster.isBlank()) {
            throw new CertException(CertError.INVALID_REQUEST, "say which cluster: ?cluster=<name>");
        }
        if (!service.knowsCluster(cluster)) {
            throw new CertException(CertError.UNKNOWN_CLUSTER, "no cluster named '" + cluster + "' is configured");
        }
        return cluster;
    }

    private void requireAdmin(String authorization) {
        String presented = CertificateService.Requester.bearer(authorization);
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                config.adminToken().getBytes(StandardCharsets.UTF_8))) {
            throw new CertException(CertError.UNAUTHENTICATED, "this call needs the admin token");
        }
    }
}
