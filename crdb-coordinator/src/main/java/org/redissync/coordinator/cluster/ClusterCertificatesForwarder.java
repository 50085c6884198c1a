package org.redissync.coordinator.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

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

import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiErrorMapper;
import org.redissync.coordinator.state.DesiredState;

/**
 * {@code /v1/cluster/...} (cluster certificates) at the suite's one API URL: authenticated here
 * (viewer reads, admin writes), then forwarded to cert-service, whose answer (RE error bodies
 * included) is passed back unchanged. A request without {@code ?cluster=} is for the default cluster.
 */
@Path("/v1/cluster")
public class ClusterCertificatesForwarder {

    private final CoordinatorConfig config;
    private final DesiredState state;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ClusterCertificatesForwarder(CoordinatorConfig config, DesiredState state) {
        this.config = config;
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
        if (config.certService().url().isEmpty()) {
            return ApiErrorMapper.body(ApiError.UNAVAILABLE, "no cert-service is configured (redissync.cert-service.url)");
        }
        String query = uri.getRequestUri().getRawQuery();
        if (!uri.getQueryParameters().containsKey("cluster")) { // RE has one API per cluster: its scripts name none
            String cluster = "cluster=" + java.net.URLEncoder.encode(state.defaultCluster("?cluster="), java.nio.charset.StandardCharsets.UTF_8);
            query = query == null || query.isEmpty() ? cluster : query + "&" + cluster;
        }
        URI target = URI.create(config.certService().url().get().replaceAll("/+$", "") + "/v1/cluster/" + path
                + (query == null ? "" : "?" + query));
        HttpRequest.Builder r = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        config.certService().adminToken().ifPresent(t -> r.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
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
