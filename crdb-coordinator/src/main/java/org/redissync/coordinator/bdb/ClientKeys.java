package org.redissync.coordinator.bdb;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import jakarta.inject.Singleton;

import org.redissync.coordinator.cluster.CertServiceClient;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.identity.PemCertificates;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code replica_sources[].client_key} and a source URI's password: handed to cert-service (mutual TLS,
 * {@link CertServiceClient}), which keeps them for the
 * destination cluster's syncer-service alone (a key checked against {@code client_cert} first). The coordinator holds
 * them only for the request: never written to Kafka, logged or returned (the event has their ids; the URI's password
 * reads {@code ********}).
 */
@Singleton
public class ClientKeys {

    private final CertServiceClient certService;

    ClientKeys(CertServiceClient certService) {
        this.certService = certService;
    }

    /** The id a source's key is kept under: one per bdb, source and certificate (a new certificate, a new id). */
    static String id(long bdbUid, int sourceUid, String certificatePem) {
        var chain = Certificates.parse(certificatePem, "client_cert");
        // the leaf's SHA-256 fingerprint, its first 16 hex digits in lower case (the form kept ids have)
        String fingerprint = PemCertificates.fingerprint(chain.get(0)).replace(":", "").toLowerCase(java.util.Locale.ROOT);
        return "bdb" + bdbUid + "-source" + sourceUid + "-" + fingerprint.substring(0, 16);
    }

    /** The id a source's password is kept under: one per bdb, source and URI (a new password, a new id). */
    static String passwordId(long bdbUid, int sourceUid, String uri) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(uri.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "bdb" + bdbUid + "-source" + sourceUid + "-pw-" + HexFormat.of().formatHex(d).substring(0, 16);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores a source's password with cert-service for {@code cluster} (never on Kafka). */
    void storeSecret(String cluster, String id, String secret, String field) {
        put(cluster, "/v1/cluster/secrets/" + id, Map.of("secret", secret), field);
    }

    /** Stores the key with cert-service for {@code cluster}; cert-service's refusal (a key that does not fit) becomes the API's. */
    void store(String cluster, String id, String certificatePem, String keyPem, String field) {
        put(cluster, "/v1/cluster/client_keys/" + id, Map.of("certificate", certificatePem, "key", keyPem), field);
    }

    private void put(String cluster, String path, Map<String, String> body, String field) {
        var unavailable = certService.unavailable();
        if (unavailable.isPresent()) {
            throw new ApiException(ApiError.UNAVAILABLE, field + ": " + unavailable.get() + " to keep it");
        }
        HttpResponse<String> resp;
        try {
            resp = certService.send("PUT", path + "?cluster=" + java.net.URLEncoder.encode(cluster, java.nio.charset.StandardCharsets.UTF_8),
                    BdbJson.MAPPER.valueToTree(body).toString());
        } catch (IOException e) {
            throw new ApiException(ApiError.UNAVAILABLE, field + ": cert-service did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.UNAVAILABLE, field + ": interrupted");
        }
        if (resp.statusCode() != 200) {
            String why = resp.body();
            try {
                JsonNode e = BdbJson.MAPPER.readTree(resp.body());
                why = e.path("description").asText(why) + " (" + e.path("error_code").asText("http " + resp.statusCode()) + ")";
            } catch (IOException ignored) {
                // not JSON: said as it is
            }
            throw new ApiException(resp.statusCode() >= 500 ? ApiError.UNAVAILABLE : ApiError.INVALID_CERTIFICATE, field + ": " + why);
        }
    }
}
