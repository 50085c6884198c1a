package org.redissync.coordinator.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;

import org.redissync.certclient.CertificateMaterial;
import org.redissync.coordinator.api.ApiCertificate;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.identity.PeerIdentity;

/**
 * The coordinator's calls to cert-service (certificate listing, {@code update_cert}, rotation, Replica Of keys and
 * passwords): over its TLS listener only, verified as cert-service by its URN identity, presenting the coordinator's
 * {@code api} certificate (mutual TLS) and the admin token. Keys and secrets never cross in the clear.
 */
@Singleton
public class CertServiceClient {

    private final CoordinatorConfig config;
    private final ApiCertificate certificate;
    private volatile CertificateMaterial clientFor;
    private volatile HttpClient client;

    CertServiceClient(CoordinatorConfig config, @Identifier(ApiCertificate.TLS_CONFIGURATION) ApiCertificate certificate) {
        this.config = config;
        this.certificate = certificate;
    }

    /** Why there is no cert-service to call, or empty when there is one. */
    public Optional<String> unavailable() {
        if (config.certService().tlsUrl().isEmpty() || config.certService().caFile().isEmpty()) {
            return Optional.of("no cert-service is configured (redissync.cert-service.tls-url and ca-file)");
        }
        if (certificate.identity().isEmpty()) {
            return Optional.of("the coordinator has no api certificate of the suite's CA to call cert-service with (redissync.api.token)");
        }
        return Optional.empty();
    }

    /** {@code method} {@code pathAndQuery} (from {@code /v1/...}) with a JSON body or none; cert-service's answer as it is. */
    public HttpResponse<String> send(String method, String pathAndQuery, String body) throws IOException, InterruptedException {
        unavailable().ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(config.certService().tlsUrl().get().replaceAll("/+$", "") + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        config.certService().adminToken().ifPresent(t -> r.header("Authorization", "Bearer " + t));
        return client().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One client per identity: a renewed certificate makes a new one (new connections present it). */
    private synchronized HttpClient client() throws IOException {
        CertificateMaterial identity = certificate.identity().orElseThrow();
        if (identity != clientFor) {
            client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(PeerIdentity.mutualContext(
                    Path.of(config.certService().caFile().get()), Optional.of(PeerIdentity.CERT_SERVICE), identity.key(), identity.chain()))
                    .build();
            clientFor = identity;
        }
        return client;
    }
}
