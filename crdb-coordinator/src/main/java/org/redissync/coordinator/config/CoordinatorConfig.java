package org.redissync.coordinator.config;

import java.time.Duration;
import java.util.List;

import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

import org.redissync.events.kafka.KafkaConfig;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * Everything the coordinator can be told, under {@code redissync.*}. Checked at boot: a bad value
 * fails the start, not the first request. API users and passwords are Quarkus security settings
 * ({@code quarkus.security.users.embedded.*}); there is no built-in default password.
 */
@ConfigMapping(prefix = "redissync")
public interface CoordinatorConfig {

    KafkaConfig kafka();

    /** The name this coordinator puts in tasks' {@code worker_name}. */
    @WithDefault("crdb-coordinator")
    @NotBlank
    String workerName();

    /** The participating clusters, by name. */
    Map<String, Cluster> clusters();

    Ports ports();

    Tasks tasks();

    /**
     * The API's certificate. The API is Quarkus's HTTPS server ({@code quarkus.http.ssl-port}, default 9443, TLS
     * configuration {@code api}); it has no plaintext listener.
     */
    Api api();

    interface Api {
        /** How long the start waits for cert-service to sign the API certificate before it fails. */
        @WithDefault("PT2M")
        Duration certificateTimeout();

        /**
         * Where the coordinator keeps its {@code api} certificate and key across restarts (a directory only it can enter;
         * the key 0600). With it a restart renews over mutual TLS instead of using the bootstrap token, which may then be
         * short-lived. Unset: memory only, every start needs the token.
         */
        Optional<String> stateDir();

        /** Operator-managed API certificate (PEM chain) and key; else one is requested from cert-service. */
        Optional<String> certificateFile();

        Optional<String> keyFile();

        /** The cert-service cluster whose token authenticates the API certificate request. */
        @WithDefault("control-plane")
        String certificateCluster();

        /** That cluster's bootstrap token. */
        Optional<String> token();

        /** Names in the API certificate. */
        @WithDefault("localhost,127.0.0.1")
        List<String> names();

        /**
         * The cluster a cluster-scoped request goes to when it names none, as Redis Enterprise scripts (one API per
         * cluster) send them: {@code POST /v1/bdbs} without {@code cluster}, {@code /v1/cluster/*} without
         * {@code ?cluster=}. Unset with a single cluster: that one; unset with several: such requests are refused.
         */
        Optional<String> defaultCluster();
    }

    /** cert-service: the API's certificate, and where {@code /v1/cluster/*} (certificates) and Replica Of secrets go. */
    CertService certService();

    interface CertService {
        /**
         * cert-service's TLS listener, e.g. {@code https://127.0.0.1:9444}: CSR signing for the API certificate, and every
         * administrative call, over mutual TLS with it. Unset: the certificate paths answer 503.
         */
        Optional<String> tlsUrl();

        /** The suite CA certificate (PEM) cert-service's listener is verified with. */
        Optional<String> caFile();

        /** cert-service's admin token, sent with the api certificate on administrative calls (it requires both). */
        Optional<String> adminToken();
    }

    interface Cluster {
        /** Where clients and peers reach this cluster's endpoints (bdb {@code endpoints[].dns_name}). */
        @WithDefault("127.0.0.1")
        String endpointHost();

        /** The cluster's URL as Redis Enterprise shows it in CRDB instances. */
        Optional<String> url();
    }

    interface Ports {
        /** Endpoint ports the coordinator allocates from. */
        @WithDefault("12000")
        @Min(1024)
        @Max(65535)
        int min();

        @WithDefault("12999")
        @Min(1024)
        @Max(65535)
        int max();
    }

    interface Tasks {
        /** A task not applied everywhere by then fails, with each late cluster's reason. */
        @WithDefault("PT60S")
        Duration timeout();
    }
}
