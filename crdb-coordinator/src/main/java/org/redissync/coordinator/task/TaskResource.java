package org.redissync.coordinator.task;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.redissync.coordinator.api.ApiSchemas;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Redis Enterprise's {@code /v1/crdb_tasks}. */
@Path("/v1/crdb_tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    private final TaskService tasks;

    TaskResource(TaskService tasks) {
        this.tasks = tasks;
    }

    @GET
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = ApiSchemas.Task.class)))
    public List<ObjectNode> list() {
        return tasks.all().stream().map(TaskService::render).toList();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Task.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode get(@PathParam("id") String id) {
        return TaskService.render(tasks.require(id));
    }

    @POST
    @Path("/{id}/actions/cancel")
    @RolesAllowed("admin")
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Task.class)))
    @APIResponse(responseCode = "404", description = "no such object", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode cancel(@PathParam("id") String id) {
        return TaskService.render(tasks.cancel(id));
    }
}
