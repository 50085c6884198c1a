package org.redissync.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Topic {@code suite.settings} (compacted): settings of the whole suite, RE's cluster object. Written only by the
 * coordinator ({@code PUT /v1/cluster}, {@code rladmin cluster config}); every syncer-service applies them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = SuiteSettingsEvent.DataTlsSettings.class, name = "data_tls_settings")})
public sealed interface SuiteSettingsEvent extends SuiteEvent {

    /**
     * RE's {@code min_data_TLS_version}, {@code data_cipher_list} and {@code data_cipher_suites_tls_1_3}: the TLS of
     * every data connection, endpoints' and channels', for new connections. Empty lists: the suite's defaults.
     */
    record DataTlsSettings(
            int version,
            long generation,
            /** "1.2" or "1.3". */
            String minDataTlsVersion,
            /** TLS 1.2 suites, IANA names (RE takes OpenSSL names; the coordinator translates). */
            List<String> cipherSuitesTls12,
            /** TLS 1.3 suites, IANA names. */
            List<String> cipherSuitesTls13,
            Instant updatedAt) implements SuiteSettingsEvent {

        public static final int VERSION = 1;
        public static final String KEY = "data_tls";

        /** The suite's defaults: TLS 1.2 and 1.3, AES-GCM first. */
        public static final List<String> DEFAULT_TLS12 = List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        public static final List<String> DEFAULT_TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");

        /** OpenSSL names (RE's {@code data_cipher_list}) of the TLS 1.2 suites the suite takes, to their IANA names. */
        public static final Map<String, String> TLS12_BY_OPENSSL_NAME = Map.of(
                "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                "ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        public static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256");

        public DataTlsSettings {
            Objects.requireNonNull(minDataTlsVersion, "minDataTlsVersion");
            cipherSuitesTls12 = cipherSuitesTls12 == null ? List.of() : List.copyOf(cipherSuitesTls12);
            cipherSuitesTls13 = cipherSuitesTls13 == null ? List.of() : List.copyOf(cipherSuitesTls13);
        }

        public static DataTlsSettings defaults() {
            return new DataTlsSettings(VERSION, 0, "1.2", List.of(), List.of(), Instant.EPOCH);
        }

        @Override
        public String key() {
            return KEY;
        }

        /** The protocols to enable, newest first. */
        public String[] protocols() {
            return "1.3".equals(minDataTlsVersion) ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"};
        }

        /** Every suite to enable (TLS 1.3's, then 1.2's), IANA names. */
        public List<String> ciphers() {
            List<String> out = new java.util.ArrayList<>(cipherSuitesTls13.isEmpty() ? DEFAULT_TLS13 : cipherSuitesTls13);
            if (!"1.3".equals(minDataTlsVersion)) {
                out.addAll(cipherSuitesTls12.isEmpty() ? DEFAULT_TLS12 : cipherSuitesTls12);
            }
            return out;
        }

        /**
         * Whether the TLS 1.3 suites are narrowed below all three. BoringSSL (the endpoints' and channels' TLS) always
         * offers the three and cannot be told otherwise, so such settings need the JDK's TLS (slower: see
         * docs/benchmarks.md) wherever they apply.
         */
        public boolean tls13Narrowed() {
            return !cipherSuitesTls13.isEmpty() && !cipherSuitesTls13.containsAll(TLS13_SUITES);
        }

        /** What a connection made under these settings depends on: a change means reconnecting. */
        public String connectionKey() {
            return minDataTlsVersion + "|" + String.join(":", ciphers());
        }
    }
}
