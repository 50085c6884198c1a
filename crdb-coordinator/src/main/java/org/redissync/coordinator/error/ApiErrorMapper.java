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
    public Response unauthorized(io.quarkus.security.UnauthorizedException e) {
        return Response.fromResponse(body(ApiError.UNAUTHORIZED, "credentials are required (HTTP Basic)"))
                .header("WWW-Authenticate", "Basic realm=\"redis-sync\"").build();
    }

    @ServerExceptionMapper
    public Response authenticationFailed(io.quarkus.security.AuthenticationFailedException e) {
        return Response.fromResponse(body(ApiError.UNAUTHORIZED, "wrong user name or password"))
                .header("WWW-Authenticate", "Basic realm=\"redis-sync\"").build();
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
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error_code", error.code(), "description", text, "message", text)).build();
    }
}
