package org.redissync.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.redissync.identity.PeerIdentity;

/** The coordinator's REST API over HTTP(S) with Basic auth; an error answer becomes a {@link CliException}. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final ApiSettings settings;
    private final HttpClient http;

    ApiClient(ApiSettings settings) {
        this.settings = settings;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        settings.caCert().ifPresent(ca -> b.sslContext(trusting(ca, settings.identity())));
        this.http = b.build();
    }

    JsonNode get(String path) {
        return send("GET", path, null, null);
    }

    JsonNode send(String method, String path, Object body, String taskId) {
        try {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(settings.url() + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (settings.user() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8)))
                    .header("Accept", "application/json");
            if (taskId != null) {
                r.header("X-Task-ID", taskId);
            }
            if (body != null) {
                r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(
                        body instanceof String s ? s : JSON.writeValueAsString(body)));
            } else {
                r.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> resp;
            try {
                resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpConnectTimeoutException e) {
                // nothing was sent: once more (a cold CLI JVM's TLS handshake on a saturated machine took over 10 s)
                resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            }
            JsonNode json = resp.body().isBlank() ? JSON.nullNode() : parse(resp.body());
            if (resp.statusCode() >= 400) {
                String code = json.path("error_code").asText("http_" + resp.statusCode());
                String text = json.path("description").asText(resp.body());
                throw new CliException("Error: " + code + ": " + text + " (HTTP " + resp.statusCode() + ")");
            }
            return json;
        } catch (IOException e) {
            throw new CliException("cannot reach the API at " + settings.url() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(body);
        }
    }

    private static SSLContext trusting(java.nio.file.Path caPem, java.util.Optional<String> identity) {
        try {
            return PeerIdentity.clientContext(caPem, identity);
        } catch (IOException e) {
            throw new CliException("cannot use the CA certificate " + caPem + ": " + e.getMessage());
        }
    }
}
