package org.redissync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.awaitility.Awaitility;

/**
 * What every service's boot tests check of its management interface, written once: health, metrics and OpenAPI on
 * the management port ({@code /q/} there), live at once, ready once it reaches Kafka, and none of it on the service's
 * own port.
 */
public final class ManagementProbes {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManagementProbes() {
    }

    /** A service without its broker: live (it started), not ready. */
    public static void assertLiveButNotReady(URL management) {
        expectStatus(management, "health/live", 200, "UP");
        expectStatus(management, "health/ready", 503, "DOWN");
    }

    /** Live at once, and ready within a minute, its {@code kafka} check up. */
    public static void awaitLiveAndReady(URL management) {
        expectStatus(management, "health/live", 200, "UP");
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> r = get(management, "health/ready");
            JsonNode checks = JSON.readTree(r.body()).path("checks");
            boolean kafkaUp = false;
            for (JsonNode c : checks) {
                kafkaUp |= "kafka".equals(c.path("name").asText()) && "UP".equals(c.path("status").asText());
            }
            if (r.statusCode() != 200 || !kafkaUp) {
                throw new AssertionError("not ready yet: " + r.statusCode() + " " + r.body());
            }
        });
    }

    /** Prometheus metrics and the OpenAPI document on the management interface; no {@code /q/} path on {@code service}. */
    public static void assertOnlyOnTheManagementPort(URL management, URL service) {
        expectBody(management, "metrics", "jvm_memory_used_bytes");
        expectBody(management, "openapi", "openapi");
        for (String path : new String[] {"q/metrics", "q/openapi", "q/health", "q/health/ready"}) {
            int status = get(service, path).statusCode();
            if (status != 404) {
                throw new AssertionError(service + path + " answered " + status + "; the management interface only has it");
            }
        }
    }

    private static void expectStatus(URL base, String path, int status, String health) {
        HttpResponse<String> r = get(base, path);
        String got;
        try {
            got = JSON.readTree(r.body()).path("status").asText();
        } catch (IOException e) {
            got = r.body();
        }
        if (r.statusCode() != status || !health.equals(got)) {
            throw new AssertionError(base + path + ": expected " + status + " " + health + ", got " + r.statusCode() + " " + r.body());
        }
    }

    private static void expectBody(URL base, String path, String contains) {
        HttpResponse<String> r = get(base, path);
        if (r.statusCode() != 200 || !r.body().contains(contains)) {
            throw new AssertionError(base + path + ": expected 200 with '" + contains + "', got " + r.statusCode());
        }
    }

    private static HttpResponse<String> get(URL base, String path) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
