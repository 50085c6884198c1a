package org.redissync.coordinator.ui;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.redissync.coordinator.api.ApiCertificate;
import org.redissync.coordinator.api.ApiSchemas;
import org.redissync.coordinator.bdb.BdbJson;
import org.redissync.coordinator.bdb.Certificates;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.coordinator.state.DesiredState;
import org.redissync.identity.PemCertificates;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * What the Cluster Manager UI ({@code /ui/}, docs/ui.md) needs besides Redis Enterprise's API, under {@code /ui-api}
 * (not {@code /v1}: nothing here pretends to be RE's): who is signed in (the UI hides what a viewer may not do; the API
 * refuses it anyway), the clusters, and what a pasted certificate is. Same users and roles as the API.
 */
@Path("/ui-api")
@Produces(MediaType.APPLICATION_JSON)
public class UiResource {

    @Schema(description = "Each channel's lag over the last minutes, oldest first")
    public record LagSeries(@Schema(description = "epoch milliseconds: the charts end here") long now,
            @Schema(description = "\"<from>><to>\" → [[epoch-ms, lag-ms], ...]") Map<String, List<List<Long>>> channels) {
    }

    @Schema(description = "A certificate chain as PEM")
    public record Pem(@Schema(required = true) String pem) {
    }

    @Schema(description = "The signed-in user")
    public record Session(String username, @Schema(enumeration = {"admin", "viewer"}) String role,
            @Schema(description = "the clusters a database can be made on") SortedSet<String> clusters) {
    }

    @Schema(description = "One certificate of a PEM text")
    public record CertificateFacts(String subject, String issuer, @JsonProperty("not_before") String notBefore,
            @JsonProperty("not_after") String notAfter, @Schema(description = "outside its validity now") boolean expired,
            @Schema(description = "a CA certificate") boolean ca, @Schema(description = "SHA-256 fingerprint, hex") String sha256) {
    }

    @Schema(description = "What a PEM text is, read as an entry of authentication_ssl_client_certs")
    public record CertificateReport(@Schema(enumeration = {"pinned_leaf", "ca_chain"}) String use, List<CertificateFacts> certificates) {
    }

    private final SecurityIdentity identity;
    private final CoordinatorConfig config;
    private final Clock clock;
    private final ApiCertificate apiCertificate;
    private final LagHistory lags;
    private final DesiredState state;

    UiResource(SecurityIdentity identity, CoordinatorConfig config, Clock clock,
            @io.smallrye.common.annotation.Identifier(ApiCertificate.TLS_CONFIGURATION) ApiCertificate apiCertificate, LagHistory lags,
            DesiredState state) {
        this.identity = identity;
        this.config = config;
        this.clock = clock;
        this.apiCertificate = apiCertificate;
        this.lags = lags;
        this.state = state;
    }

    /**
     * Each channel's lag over the last minutes, as reported ({@link LagHistory}): {@code {"<from>><to>": [[epoch-ms,
     * lag-ms], ...]}}, oldest first, and {@code now} (the charts end there).
     */
    @GET
    @Path("/crdbs/{guid}/lag")
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = LagSeries.class)))
    @APIResponse(responseCode = "404", description = "no such CRDB", content = @Content(schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public LagSeries lag(@jakarta.ws.rs.PathParam("guid") String guid) {
        var crdb = state.crdb(guid).orElseThrow(() -> new ApiException(ApiError.CRDB_NOT_FOUND, "no CRDB " + guid));
        Map<String, List<List<Long>>> channels = new java.util.TreeMap<>();
        for (var to : crdb.instances()) {
            for (var from : crdb.instances()) {
                if (!from.cluster().equals(to.cluster())) {
                    channels.put(from.cluster() + ">" + to.cluster(), lags.of(guid, from.cluster(), to.cluster()).stream()
                            .map(s -> List.of(s.at().toEpochMilli(), s.lagMs())).toList());
                }
            }
        }
        return new LagSeries(clock.millis(), channels);
    }

    /** The certificate chain the API (and this UI) serves, public part only: {@code {"pem": "<PEM>"}}. */
    @GET
    @Path("/api-certificate")
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = Pem.class)))
    public Pem apiCertificate() {
        return new Pem(PemCertificates.write(apiCertificate.servedChain()));
    }

    /** The signed-in user, its role, and the clusters a database can be made on. */
    @GET
    @Path("/session")
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = Session.class)))
    public Session session() {
        return new Session(identity.getPrincipal().getName(), identity.hasRole("admin") ? "admin" : "viewer",
                new TreeSet<>(config.clusters().keySet()));
    }

    /**
     * What a PEM text is, read as the endpoint reads an entry of {@code authentication_ssl_client_certs}: each
     * certificate's subject, issuer and validity, and whether the entry pins a leaf or trusts a CA chain (seed
     * semantics: a chain without a leaf trusts what it signed, and only then do the subject validations apply). Also
     * used for the clusters' certificates. Body: {@code {"pem": "<PEM>"}}. A broken PEM gets the API's
     * {@code invalid_certificate}.
     */
    @POST
    @Path("/certificate")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed({"admin", "viewer"})
    @RequestBody(content = @Content(schema = @Schema(implementation = Pem.class)))
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CertificateReport.class)))
    @APIResponse(responseCode = "406", description = "invalid_certificate", content = @Content(schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public CertificateReport certificate(String body) {
        JsonNode pem = BdbJson.body(body).get("pem");
        if (pem == null || !pem.isTextual()) {
            throw new ApiException(ApiError.INVALID_CERTIFICATE, "pem: a PEM string expected");
        }
        List<X509Certificate> chain = Certificates.parse(pem.asText(), "pem");
        Instant now = clock.instant();
        List<CertificateFacts> certs = new ArrayList<>();
        for (X509Certificate c : chain) {
            Instant notAfter = c.getNotAfter().toInstant();
            certs.add(new CertificateFacts(c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(),
                    c.getNotBefore().toInstant().toString(), notAfter.toString(),
                    now.isAfter(notAfter) || now.isBefore(c.getNotBefore().toInstant()), c.getBasicConstraints() >= 0,
                    Certificates.fingerprint(c)));
        }
        return new CertificateReport(Certificates.isCaOnly(chain) ? "ca_chain" : "pinned_leaf", certs);
    }
}
