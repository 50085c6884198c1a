package org.redissync.cert.api;

import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.redissync.cert.error.CertException;

/** The one place a refusal becomes an HTTP answer, in Redis Enterprise's error shape. */
public class CertErrorMapper {

    @ServerExceptionMapper
    public Response map(CertException e) {
        return Response.status(e.error().status()).type(MediaType.APPLICATION_JSON_TYPE).entity(body(e)).build();
    }

    /** Redis Enterprise's error body: {@code error_code}, {@code description}, and {@code message} with the same text. */
    public static Map<String, String> body(CertException e) {
        return Map.of("error_code", e.error().code(), "description", e.getMessage(), "message", e.getMessage());
    }
}
