package org.redissync.coordinator.cluster;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.redissync.coordinator.api.ApiSchemas;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import java.time.Clock;

import org.jboss.logging.Logger;
import org.redissync.coordinator.api.QueryFlags;
import org.redissync.coordinator.bdb.BdbJson;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.coordinator.state.DesiredState;
import org.redissync.events.SuiteSettingsEvent.DataTlsSettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code GET/PUT /v1/cluster}: RE's cluster object, the fields this suite has: the TLS of every data connection
 * ({@code min_data_TLS_version}, {@code data_cipher_list}, {@code data_cipher_suites_tls_1_3}). One set for the whole
 * suite: every endpoint and every channel of every cluster applies it to new connections.
 */
@Path("/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterSettingsResource {

    private static final Logger LOG = Logger.getLogger(ClusterSettingsResource.class);
    static final Set<String> FIELDS = Set.of("min_data_TLS_version", "data_cipher_list", "data_cipher_suites_tls_1_3");

    private final CoordinatorEvents events;
    private final DesiredState state;
    private final Clock clock;

    ClusterSettingsResource(CoordinatorEvents events, DesiredState state, Clock clock) {
        this.events = events;
        this.state = state;
        this.clock = clock;
    }

    @GET
    @RolesAllowed({"admin", "viewer"})
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ClusterSettings.class)))
    public ObjectNode get() {
        return render(current());
    }

    @PUT
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed("admin")
    @RequestBody(content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ClusterSettings.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ClusterSettings.class)))
    @APIResponse(responseCode = "406", description = "refused, the field named: nothing changed", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.ErrorBody.class)))
    public ObjectNode put(@Context UriInfo query, String body) {
        ObjectNode req = BdbJson.body(body);
        boolean dryRun = QueryFlags.flag("dry_run", query);
        return state.change(() -> {
            DataTlsSettings now = current();
            DataTlsSettings next = parse(req, now, clock.instant());
            if (dryRun) {
                return render(next);
            }
            if (next.connectionKey().equals(now.connectionKey())) { // nothing a connection depends on changed
                return render(now);
            }
            state.write(List.of(next));
            LOG.infof("data TLS settings, generation %d: min %s, TLS 1.2 suites %s, TLS 1.3 suites %s", next.generation(),
                    next.minDataTlsVersion(), next.cipherSuitesTls12(), next.cipherSuitesTls13());
            return render(next);
        });
    }

    DataTlsSettings current() {
        return events.settings().get(DataTlsSettings.KEY).orElse(null) instanceof DataTlsSettings s ? s : DataTlsSettings.defaults();
    }

    /** {@code now} with the request's fields: each checked, nothing else taken ({@code 406}, naming the field). */
    static DataTlsSettings parse(ObjectNode req, DataTlsSettings now, java.time.Instant at) {
        req.fieldNames().forEachRemaining(k -> {
            if (!FIELDS.contains(k)) {
                throw new ApiException(ApiError.INVALID_SCHEMA, k + ": not a cluster field this suite supports (supported: "
                        + FIELDS.stream().sorted().toList() + ")");
            }
        });
        String min = now.minDataTlsVersion();
        if (req.has("min_data_TLS_version")) {
            JsonNode v = req.get("min_data_TLS_version");
            String s = v.isTextual() ? v.asText() : v.isNumber() ? v.asText() : "";
            if (s.equals("1") || s.equals("1.0") || s.equals("1.1")) {
                throw new ApiException(ApiError.INVALID_VALUE, "min_data_TLS_version: TLS " + s + " is not offered by this suite "
                        + "(it is broken: RFC 8996); \"1.2\" or \"1.3\"");
            }
            if (!s.equals("1.2") && !s.equals("1.3")) {
                throw new ApiException(ApiError.INVALID_VALUE, "min_data_TLS_version: \"1.2\" or \"1.3\" expected");
            }
            min = s;
        }
        List<String> tls12 = now.cipherSuitesTls12();
        if (req.has("data_cipher_list")) {
            tls12 = new ArrayList<>();
            for (String name : names(req, "data_cipher_list")) {
                String iana = DataTlsSettings.TLS12_BY_OPENSSL_NAME.get(name);
                if (iana == null && DataTlsSettings.TLS12_BY_OPENSSL_NAME.containsValue(name)) {
                    iana = name;
                }
                if (iana == null) {
                    throw new ApiException(ApiError.INVALID_VALUE, "data_cipher_list: " + name + " is not a cipher this suite offers "
                            + "(ECDHE with AES-GCM or ChaCha20-Poly1305 only: " + DataTlsSettings.TLS12_BY_OPENSSL_NAME.keySet().stream()
                                    .sorted().toList() + ")");
                }
                tls12.add(iana);
            }
        }
        List<String> tls13 = now.cipherSuitesTls13();
        if (req.has("data_cipher_suites_tls_1_3")) {
            tls13 = new ArrayList<>();
            for (String name : names(req, "data_cipher_suites_tls_1_3")) {
                if (!DataTlsSettings.TLS13_SUITES.contains(name)) {
                    throw new ApiException(ApiError.INVALID_VALUE, "data_cipher_suites_tls_1_3: " + name + " is not a TLS 1.3 suite "
                            + "(one of " + DataTlsSettings.TLS13_SUITES + ")");
                }
                tls13.add(name);
            }
        }
        return new DataTlsSettings(DataTlsSettings.VERSION, now.generation() + 1, min, tls12, tls13, at);
    }

    /** RE spells a cipher list as one string, {@code :}-separated (OpenSSL's form); a JSON array is taken too. */
    private static List<String> names(ObjectNode req, String field) {
        JsonNode v = req.get(field);
        Set<String> out = new LinkedHashSet<>();
        if (v.isTextual()) {
            for (String s : v.asText().split("[:,\\s]+")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        } else if (v.isArray()) {
            v.forEach(e -> out.add(e.asText().strip()));
        } else if (!v.isNull()) {
            throw new ApiException(ApiError.INVALID_VALUE, field + ": a ':'-separated list expected");
        }
        return List.copyOf(out);
    }

    static ObjectNode render(DataTlsSettings s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("min_data_TLS_version", s.minDataTlsVersion());
        Map<String, String> openssl = new java.util.HashMap<>();
        DataTlsSettings.TLS12_BY_OPENSSL_NAME.forEach((k, v) -> openssl.put(v, k));
        o.put("data_cipher_list", String.join(":", (s.cipherSuitesTls12().isEmpty() ? DataTlsSettings.DEFAULT_TLS12 : s.cipherSuitesTls12())
                .stream().map(openssl::get).toList()));
        o.put("data_cipher_suites_tls_1_3", String.join(":", s.cipherSuitesTls13().isEmpty() ? DataTlsSettings.DEFAULT_TLS13
                : s.cipherSuitesTls13()));
        return o;
    }
}
