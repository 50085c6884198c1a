package org.redissync.cert.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.validation.constraints.NotEmpty;

import org.redissync.events.kafka.KafkaConfig;
import org.redissync.cert.ca.KeyAlgorithm;

/**
 * Everything cert-service can be told, under {@code redissync.*}. Checked at boot: a bad value
 * fails the start, not the first request. Secrets (tokens, the keystore password) are never logged.
 */
@ConfigMapping(prefix = "redissync")
public interface CertServiceConfig {

    KafkaConfig kafka();

    /** The Kafka client id. */
    @WithDefault("cert-service")
    @NotBlank
    String clientId();

    /** Where the CA and operator-supplied keys are kept (mode 0600). */
    @WithDefault("cert-state")
    @NotBlank
    String stateDir();

    /**
     * Required: the calls that change certificates or hand in keys and secrets (update_cert, certificates, rotate,
     * client_keys, secrets) need {@code Authorization: Bearer <admin-token>}. cert-service does not start without
     * one: a CA that takes keys from anyone is no CA. At least 16 characters.
     */
    @Size(min = 16, message = "the admin token must have at least 16 characters")
    String adminToken();

    Ca ca();

    /** The TLS listener clusters use: CSR signing (token or mTLS), and delivery of operator-supplied keys. */
    Tls tls();

    interface Tls {
        /** 0 picks a free port (tests). */
        @WithDefault("9444")
        @Min(0)
        @Max(65535)
        int port();

        @WithDefault("0.0.0.0")
        String host();

        /** Names in cert-service's own server certificate (issued by its CA at every start). */
        @WithDefault("localhost,127.0.0.1")
        List<String> names();
    }

    Certificates certificates();

    /** The clusters this CA issues for, by name. */
    Map<String, Cluster> clusters();

    interface Ca {
        /** Key type of a root CA created on first start. */
        @WithDefault("EC_P256")
        KeyAlgorithm keyAlgorithm();

        /** When set, the CA is kept in a PKCS#12 keystore protected by this password instead of PEM files. */
        Optional<String> keystorePassword();

        @WithDefault("CN=redis-sync root CA,O=redis-sync")
        String subject();

        @WithDefault("P3650D")
        Duration validity();

        /** An operator-supplied (intermediate) CA certificate, leaf first, instead of the created root. */
        Optional<String> certificateFile();

        /** Its private key (PEM); required with {@code certificate-file}. */
        Optional<String> keyFile();
    }

    interface Certificates {
        /** Validity of proxy, syncer and api certificates. */
        @WithDefault("P90D")
        Duration validity();

        /** How long a replaced certificate stays trusted (never past its own expiry). */
        @WithDefault("P1D")
        Duration overlap();
    }

    interface Cluster {
        /** The bootstrap token that authenticates this cluster's certificate requests. */
        @NotBlank
        String token();

        /**
         * When the bootstrap token stops being accepted (ISO-8601 instant, e.g. {@code 2026-12-06T12:00:00Z}): a
         * short-lived token gets a service its first certificates, and renewals go on over mutual TLS with the
         * current one (a service that keeps its key, {@code redissync.certificates.state-dir}, restarts without the
         * token too). Unset: the token does not expire. A value that is no instant stops the start.
         */
        Optional<String> tokenExpiresAt();

        /** DNS names and IP addresses this cluster's certificates may carry. */
        @WithDefault("localhost,127.0.0.1")
        @NotEmpty
        List<String> names();

        /**
         * The roles this cluster may obtain by CSR: a data cluster {@code proxy} and {@code syncer}, the control plane
         * (the coordinator) {@code api}. A cluster's token never gets it another role's identity.
         */
        @WithDefault("proxy,syncer")
        @NotEmpty
        List<String> roles();
    }
}
