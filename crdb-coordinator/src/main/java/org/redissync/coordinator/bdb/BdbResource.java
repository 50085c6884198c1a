package org.redissync.coordinator.bdb;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.redissync.coordinator.api.ApiSchemas;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import org.redissync.coordinator.api.QueryFlags;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Redis Enterprise's {@code /v1/bdbs}. Readers need the viewer or admin role; writers admin. */
@Path("/v1/bdbs")
@Produces(MediaType.APPLICATION_JSON)
public class BdbResource {

    private final BdbService service;

    BdbResource(BdbService service) {
        this.service = service;
    }

    @GET
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = ApiSchemas.Bdb.class)))
    public List<ObjectNode> list(@Context SecurityContext caller) {
        List<ObjectNode> all = service.list();
        return caller.isUserInRole("admin") ? all : all.stream().map(BdbResource::masked).toList();
    }

    @GET
    @Path("/{uid}")
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Bdb.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode get(@PathParam("uid") String uid, @Context SecurityContext caller) {
        ObjectNode b = service.get(uid(uid));
        return caller.isUserInRole("admin") ? b : masked(b);
    }

    /** A viewer sees a Replica Of source's URI with its password as {@code ********} (RE masks passwords for viewers). */
    static ObjectNode masked(ObjectNode bdb) {
        for (com.fasterxml.jackson.databind.JsonNode s : bdb.path("replica_sources")) {
            if (s instanceof ObjectNode o && o.hasNonNull("uri")) {
                o.put("uri", maskPassword(o.get("uri").asText()));
            }
        }
        return bdb;
    }

    /** {@code redis://user:secret@host:1} → {@code redis://user:********@host:1}; a URI without a password as it is. */
    static String maskPassword(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return uri;
        }
        String info = uri.substring(scheme + 3, at);
        int colon = info.indexOf(':');
        String user = colon < 0 ? "" : info.substring(0, colon);
        return uri.substring(0, scheme + 3) + user + ":********" + uri.substring(at);
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.BdbRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Bdb.class)))
    @APIResponse(responseCode = "406", description = "refused, the field named: nothing changed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode create(@Context UriInfo query, String body) {
        return service.create(body, QueryFlags.flag("dry_run", query));
    }

    /** Partial update: only the fields in the body change. Applies to new connections only (seed's note). */
    @PUT
    @Path("/{uid}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.BdbRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Bdb.class)))
    @APIResponse(responseCode = "406", description = "refused, the field named: nothing changed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode update(@PathParam("uid") String uid, @Context UriInfo query, String body) {
        return service.update(uid(uid), body, QueryFlags.flag("dry_run", query));
    }

    @DELETE
    @Path("/{uid}")
    @RolesAllowed("admin")
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public Response delete(@PathParam("uid") String uid) {
        service.delete(uid(uid));
        return Response.ok().build();
    }

    static long uid(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ApiException(ApiError.BDB_NOT_FOUND, "no bdb with uid '" + text + "'");
        }
    }
}
