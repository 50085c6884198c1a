package org.redissync.coordinator.cluster;

import java.io.IOException;
import java.net.http.HttpResponse;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.redissync.coordinator.api.ApiSchemas;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiErrorMapper;
import org.redissync.coordinator.state.DesiredState;

/**
 * Redis Enterprise's cluster-certificate calls at the suite's one API URL, each named here: authenticated here (viewer
 * reads, admin writes), then forwarded to cert-service over mutual TLS ({@link CertServiceClient}), whose answer (RE
 * error bodies included) is passed back unchanged. A request without {@code ?cluster=} is for the default cluster.
 *
 * <p>Only these five are forwarded. cert-service's TLS listener serves more (key and secret delivery to a cluster's
 * syncer-service, CSR signing) and authenticates the caller by its certificate, here the coordinator's own
 * {@code control-plane} identity: forwarding any path would hand a viewer what cert-service gives the coordinator
 * (the control plane's operator-supplied key) and an admin a certificate for the API's identity. Any other path under
 * {@code /v1/cluster/} is 404 here.
 */
@Path("/v1/cluster")
public class ClusterCertificatesForwarder {

    private final CertServiceClient certService;
    private final DesiredState state;

    ClusterCertificatesForwarder(CertServiceClient certService, DesiredState state) {
        this.certService = certService;
        this.state = state;
    }

    /** The cluster's current public chains. */
    @GET
    @Path("/certificates")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiSchemas.ClusterCertificates.class)))
    public Response certificates(@QueryParam("cluster") String cluster, @Context UriInfo uri) {
        return forward("GET", "certificates", uri, null);
    }

    /** The CA certificate to trust, PEM. */
    @GET
    @Path("/certificates/ca")
    @Produces("application/x-pem-file")
    @RolesAllowed({"admin", "viewer"})
    public Response ca(@Context UriInfo uri) {
        return forward("GET", "certificates/ca", uri, null);
    }

    /** RE's {@code update_cert}: one operator-supplied certificate ({@code proxy}, {@code syncer}, {@code api}) and its key. */
    @PUT
    @Path("/update_cert")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.SuppliedCertificate.class)))
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiSchemas.CertificatesTaken.class)))
    @APIResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public Response updateCert(@QueryParam("cluster") String cluster, @Context UriInfo uri, String body) {
        state.requireWriter(); // a standby changes nothing, certificates included
        return forward("PUT", "update_cert", uri, body);
    }

    /** Several operator-supplied certificates at once: all taken, or none. */
    @PUT
    @Path("/certificates")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.SuppliedCertificates.class)))
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiSchemas.CertificatesTaken.class)))
    @APIResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public Response updateCertificates(@QueryParam("cluster") String cluster, @Context UriInfo uri, String body) {
        state.requireWriter();
        return forward("PUT", "certificates", uri, body);
    }

    /** Asks the owners of one role's certificate (or every role's) to re-key and get a fresh certificate now. */
    @POST
    @Path("/certificates/rotate")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiSchemas.Rotation.class)))
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ApiSchemas.Rotating.class)))
    public Response rotate(@QueryParam("cluster") String cluster, @Context UriInfo uri, String body) {
        state.requireWriter();
        return forward("POST", "certificates/rotate", uri, body);
    }

    private Response forward(String method, String path, UriInfo uri, String body) {
        var unavailable = certService.unavailable();
        if (unavailable.isPresent()) {
            return ApiErrorMapper.body(ApiError.UNAVAILABLE, unavailable.get());
        }
        String query = uri.getRequestUri().getRawQuery();
        if (!uri.getQueryParameters().containsKey("cluster")) { // RE has one API per cluster: its scripts name none
            String cluster = "cluster=" + java.net.URLEncoder.encode(state.defaultCluster("?cluster="), java.nio.charset.StandardCharsets.UTF_8);
            query = query == null || query.isEmpty() ? cluster : query + "&" + cluster;
        }
        try {
            HttpResponse<String> resp = certService.send(method, "/v1/cluster/" + path + (query == null ? "" : "?" + query), body);
            return Response.status(resp.statusCode())
                    .type(resp.headers().firstValue("Content-Type").orElse(MediaType.APPLICATION_JSON))
                    .entity(resp.body()).build();
        } catch (IOException e) {
            return ApiErrorMapper.body(ApiError.UNAVAILABLE, "cert-service did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiErrorMapper.body(ApiError.UNAVAILABLE, "interrupted");
        }
    }
}
