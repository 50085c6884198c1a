package org.redissync.testing.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secured broker's users as its launchers know them: one per service ({@code cert-service},
 * {@code crdb-coordinator}, {@code syncer-<cluster>}); the broker grants their ACLs itself (kafka-broker's
 * {@code KafkaAccess}, from the provisioning file written here).
 */
public final class KafkaUsers {

    public static final String CERT_SERVICE = "cert-service";
    public static final String COORDINATOR = "crdb-coordinator";

    private KafkaUsers() {
    }

    public static String syncer(String cluster) {
        return "syncer-" + cluster;
    }

    public static List<String> of(List<String> clusters) {
        List<String> users = new ArrayList<>(List.of(CERT_SERVICE, COORDINATOR));
        clusters.forEach(c -> users.add(syncer(c)));
        return users;
    }

    /** The broker's provisioning file: the clusters, the topic prefix and each user's password. */
    public static Map<String, String> provisioning(String prefix, List<String> clusters, Map<String, String> passwords) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("prefix", prefix);
        p.put("clusters", String.join(",", clusters));
        for (String user : of(clusters)) {
            String password = passwords.get(user);
            if (password == null) {
                throw new IllegalArgumentException("no password for the Kafka user " + user);
            }
            p.put("user." + user, password);
        }
        return p;
    }

    /** A client's settings for the secured broker as {@code user}: SCRAM-SHA-512 over TLS, trusting only the broker's CA. */
    public static Map<String, String> clientProperties(String user, String password, Path brokerCa) {
        return Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", brokerCa.toAbsolutePath().toString());
    }
}
