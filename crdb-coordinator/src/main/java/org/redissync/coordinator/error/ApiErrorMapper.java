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

    public static Response body(ApiError error, String text) {
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error_code", error.code(), "description", text, "message", text)).build();
    }
}
