package org.redissync.coordinator.crdb;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import org.redissync.coordinator.api.QueryFlags;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.redissync.coordinator.bdb.BdbJson;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Redis Enterprise's {@code /v1/crdbs}: every change answers with its task (header {@code X-Task-ID} names it). */
@Path("/v1/crdbs")
@Produces(MediaType.APPLICATION_JSON)
public class CrdbResource {

    private final CrdbService service;

    CrdbResource(CrdbService service) {
        this.service = service;
    }

    @GET
    @RolesAllowed({"admin", "viewer"})
    public List<ObjectNode> list() {
        return service.list();
    }

    @GET
    @Path("/{guid}")
    @RolesAllowed({"admin", "viewer"})
    public ObjectNode get(@PathParam("guid") String guid) {
        return service.get(guid);
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    public ObjectNode create(@Context UriInfo query, @HeaderParam("X-Task-ID") String taskId, String body) {
        return service.create(body, QueryFlags.flag("dry_run", query), taskId);
    }

    @PATCH
    @Path("/{guid}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    public ObjectNode patch(@PathParam("guid") String guid, @Context UriInfo query,
            @HeaderParam("X-Task-ID") String taskId, String body) {
        return service.update(guid, BdbJson.body(body), false, QueryFlags.flag("dry_run", query), taskId);
    }

    /** {@code {"crdb": {...changed fields}, "force_update": true}}: force rebuilds every channel even when nothing changed. */
    @POST
    @Path("/{guid}/updates")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    public ObjectNode updates(@PathParam("guid") String guid, @HeaderParam("X-Task-ID") String taskId, String body) {
        ObjectNode req = BdbJson.body(body);
        CrdbService.onlyFields(req, "", java.util.Set.of("crdb", "force_update"));
        JsonNode crdb = req.get("crdb");
        if (crdb != null && !crdb.isObject()) {
            throw new ApiException(ApiError.INVALID_VALUE, "crdb: an object of the fields to change expected");
        }
        JsonNode forceNode = req.get("force_update");
        if (forceNode != null && !forceNode.isNull() && !forceNode.isBoolean()) {
            throw new ApiException(ApiError.INVALID_VALUE, "force_update: true or false expected");
        }
        boolean force = forceNode != null && forceNode.asBoolean(false);
        return service.update(guid, crdb == null ? BdbJson.MAPPER.createObjectNode() : (ObjectNode) crdb, force, false, taskId);
    }

    @DELETE
    @Path("/{guid}")
    @RolesAllowed("admin")
    public ObjectNode delete(@PathParam("guid") String guid, @HeaderParam("X-Task-ID") String taskId) {
        return service.delete(guid, taskId);
    }
}
