package org.redissync.coordinator.crdb;

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
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = ApiSchemas.Crdb.class)))
    public List<ObjectNode> list() {
        return service.list();
    }

    @GET
    @Path("/{guid}")
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Crdb.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode get(@PathParam("guid") String guid) {
        return service.get(guid);
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.CrdbCreateRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Task.class)))
    @APIResponse(responseCode = "406", description = "refused, the field named: nothing changed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode create(@Context UriInfo query, @HeaderParam("X-Task-ID") String taskId, String body) {
        return service.create(body, QueryFlags.flag("dry_run", query), taskId);
    }

    @PATCH
    @Path("/{guid}")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.CrdbUpdateRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Task.class)))
    @APIResponse(responseCode = "406", description = "refused, the field named: nothing changed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode patch(@PathParam("guid") String guid, @Context UriInfo query,
            @HeaderParam("X-Task-ID") String taskId, String body) {
        return service.update(guid, BdbJson.body(body), false, QueryFlags.flag("dry_run", query), taskId);
    }

    /**
     * RE's CRDB modify request: {@code {"crdb": {...changed fields}, "force_update": true}} (force rebuilds every channel
     * even when nothing changed), or one membership change: {@code "add_instances": [instance_info...]} or
     * {@code "remove_instances": [id...]} (an entry may be {@code {"id": n, "force_remove": true}}), never together.
     */
    @POST
    @Path("/{guid}/updates")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Task.class)))
    @APIResponse(responseCode = "406", description = "refused, the field named: nothing changed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode updates(@PathParam("guid") String guid, @Context UriInfo query, @HeaderParam("X-Task-ID") String taskId,
            String body) {
        boolean dryRun = QueryFlags.flag("dry_run", query);
        ObjectNode req = BdbJson.body(body);
        CrdbService.onlyFields(req, "", java.util.Set.of("crdb", "force_update", "add_instances", "remove_instances"));
        if (req.has("add_instances") || req.has("remove_instances")) {
            java.util.List<String> others = new java.util.ArrayList<>();
            req.fieldNames().forEachRemaining(f -> {
                if (!f.equals("add_instances") && !f.equals("remove_instances") && !(f.equals("force_update") && !req.get(f).asBoolean(false))
                        && !(f.equals("crdb") && req.get(f).isObject() && req.get(f).isEmpty())) {
                    others.add(f);
                }
            });
            if (req.has("add_instances") && req.has("remove_instances")) {
                others.add("add_instances with remove_instances");
            }
            if (!others.isEmpty()) {
                throw new ApiException(ApiError.INVALID_CONFIGURATION, "a membership change (add_instances or remove_instances) goes alone: "
                        + others + " in the same request; send them one after the other");
            }
            if (req.has("add_instances")) {
                return service.addInstances(guid, req.get("add_instances"), dryRun, taskId);
            }
            return removeInstances(guid, req.get("remove_instances"), dryRun, taskId);
        }
        JsonNode crdb = req.get("crdb");
        if (crdb != null && !crdb.isObject()) {
            throw new ApiException(ApiError.INVALID_VALUE, "crdb: an object of the fields to change expected");
        }
        JsonNode forceNode = req.get("force_update");
        if (forceNode != null && !forceNode.isNull() && !forceNode.isBoolean()) {
            throw new ApiException(ApiError.INVALID_VALUE, "force_update: true or false expected");
        }
        boolean force = forceNode != null && forceNode.asBoolean(false);
        return service.update(guid, crdb == null ? BdbJson.MAPPER.createObjectNode() : (ObjectNode) crdb, force, dryRun, taskId);
    }

    private ObjectNode removeInstances(String guid, JsonNode remove, boolean dryRun, String taskId) {
        if (!remove.isArray()) {
            throw new ApiException(ApiError.INVALID_VALUE, "remove_instances: an array of instance ids expected");
        }
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        Boolean force = null;
        for (int i = 0; i < remove.size(); i++) {
            JsonNode e = remove.get(i);
            boolean f = false;
            if (e.isObject()) {
                CrdbService.onlyFields((ObjectNode) e, "remove_instances[" + i + "].", java.util.Set.of("id", "force_remove"));
                JsonNode fr = e.get("force_remove");
                if (fr != null && !fr.isNull() && !fr.isBoolean()) {
                    throw new ApiException(ApiError.INVALID_VALUE, "remove_instances[" + i + "].force_remove: true or false expected");
                }
                f = fr != null && fr.asBoolean(false);
                e = e.get("id");
            }
            if (e == null || !e.isIntegralNumber() || !e.canConvertToInt()) {
                throw new ApiException(ApiError.INVALID_VALUE, "remove_instances[" + i + "]: an instance id (integer) expected");
            }
            if (force != null && force != f) {
                throw new ApiException(ApiError.INVALID_VALUE, "remove_instances: force_remove must be the same for every instance removed together");
            }
            force = f;
            ids.add(e.asInt());
        }
        return service.removeInstances(guid, ids, force != null && force, dryRun, taskId);
    }

    @DELETE
    @Path("/{guid}")
    @RolesAllowed("admin")
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Task.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode delete(@PathParam("guid") String guid, @HeaderParam("X-Task-ID") String taskId) {
        return service.delete(guid, taskId);
    }
}
