package org.redissync.coordinator.error;

import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

/** The one place errors become HTTP answers, in Redis Enterprise's shape: error_code, description, message. */
public class ApiErrorMapper {

    private static final Logger LOG = Logger.getLogger(ApiErrorMapper.class);

    @ServerExceptionMapper
    public Response refused(ApiException e) {
        LOG.infof("refused: %s (%s)", e.error().code(), e.getMessage());
        return body(e.error(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        return body(ApiError.MALFORMED_JSON, "the request body is not valid JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response unauthorized(io.quarkus.security.UnauthorizedException e, jakarta.ws.rs.core.HttpHeaders headers) {
        return challenge(body(ApiError.UNAUTHORIZED, "credentials are required (HTTP Basic)"), headers);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(io.quarkus.security.AuthenticationFailedException e, jakarta.ws.rs.core.HttpHeaders headers) {
        return challenge(body(ApiError.UNAUTHORIZED, "wrong user name or password"), headers);
    }

    /**
     * A 401 asks for HTTP Basic credentials, except of a page's script ({@code X-Requested-With}, as the Cluster Manager
     * UI sends): a browser answers a challenge with its own password dialog, over the UI's sign-in form.
     */
    private static Response challenge(Response r, jakarta.ws.rs.core.HttpHeaders headers) {
        if (headers != null && headers.getHeaderString("X-Requested-With") != null) {
            return r;
        }
        return Response.fromResponse(r).header("WWW-Authenticate", "Basic realm=\"redis-sync\"").build();
    }

    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        return body(ApiError.FORBIDDEN, "this user's role may not do this (a viewer reads, an admin also writes)");
    }

    @ServerExceptionMapper
    public Response notFound(jakarta.ws.rs.NotFoundException e) {
        return body(ApiError.NOT_FOUND, "no such path");
    }

    @ServerExceptionMapper
    public Response notAllowed(jakarta.ws.rs.NotAllowedException e) {
        Response r = body(ApiError.METHOD_NOT_ALLOWED, "this path does not take that method (allowed: " + e.getResponse().getAllowedMethods() + ")");
        return Response.fromResponse(r).allow(e.getResponse().getAllowedMethods()).build();
    }

    public static Response body(ApiError error, String text) {
        Map<String, String> entity = new java.util.LinkedHashMap<>();
        entity.put("error_code", error.code());
        entity.put("description", text);
        entity.put("message", text);
        String field = field(text);
        if (field != null) {
            entity.put("field", field);
        }
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(entity).build();
    }

    private static final java.util.regex.Pattern FIELD = java.util.regex.Pattern.compile(
            "^([A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+])?(?:\\.[A-Za-z_][A-Za-z0-9_]*(?:\\[\\d+])?)*): ");

    /**
     * The request field a refusal concerns ({@code tls_mode}, {@code authorized_subjects[1]},
     * {@code replica_sources[0].uri}), ours besides RE's body: every validation message starts with the field's path
     * and a colon, so it is read from there, in this one place. The UI shows the error next to that field.
     */
    static String field(String text) {
        java.util.regex.Matcher m = FIELD.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : null;
    }
}
