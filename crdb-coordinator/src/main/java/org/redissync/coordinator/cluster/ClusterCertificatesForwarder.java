package org.redissync.coordinator.cluster;

import java.io.IOException;
import java.net.http.HttpResponse;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiErrorMapper;
import org.redissync.coordinator.state.DesiredState;

/**
 * {@code /v1/cluster/...} (cluster certificates) at the suite's one API URL: authenticated here
 * (viewer reads, admin writes), then forwarded to cert-service over mutual TLS ({@link CertServiceClient}),
 * whose answer (RE error bodies included) is passed back unchanged. A request without {@code ?cluster=} is for the default cluster.
 */
@Path("/v1/cluster")
public class ClusterCertificatesForwarder {

    private final CertServiceClient certService;
    private final DesiredState state;

    ClusterCertificatesForwarder(CertServiceClient certService, DesiredState state) {
        this.certService = certService;
        this.state = state;
    }

    @GET
    @Path("/{path: .+}")
    @RolesAllowed({"admin", "viewer"})
    public Response get(@PathParam("path") String path, @Context UriInfo uri) {
        return forward("GET", path, uri, null);
    }

    @PUT
    @Path("/{path: .+}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    public Response put(@PathParam("path") String path, @Context UriInfo uri, String body) {
        state.requireWriter(); // a standby changes nothing, certificates included
        return forward("PUT", path, uri, body);
    }

    @POST
    @Path("/{path: .+}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    public Response post(@PathParam("path") String path, @Context UriInfo uri, String body) {
        state.requireWriter();
        return forward("POST", path, uri, body);
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
