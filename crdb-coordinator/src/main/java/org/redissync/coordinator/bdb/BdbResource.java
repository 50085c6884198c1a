package org.redissync.coordinator.bdb;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import org.redissync.coordinator.api.QueryFlags;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.core.Context;
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
    public List<ObjectNode> list() {
        return service.list();
    }

    @GET
    @Path("/{uid}")
    @RolesAllowed({"admin", "viewer"})
    public ObjectNode get(@PathParam("uid") String uid) {
        return service.get(uid(uid));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    public ObjectNode create(@Context UriInfo query, String body) {
        return service.create(body, QueryFlags.flag("dry_run", query));
    }

    /** Partial update: only the fields in the body change. Applies to new connections only (seed's note). */
    @PUT
    @Path("/{uid}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    public ObjectNode update(@PathParam("uid") String uid, @Context UriInfo query, String body) {
        return service.update(uid(uid), body, QueryFlags.flag("dry_run", query));
    }

    @DELETE
    @Path("/{uid}")
    @RolesAllowed("admin")
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
