package org.redissync.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on the suite's broker: one Kafka user per service, and ACLs that let each write only the
 * topics it owns (design: docs/certificates.md, "Kafka identities"). Every service reads the suite's topics
 * (none carries a secret); writes:
 * <ul>
 *   <li>{@code cert-service}: {@code cluster.certificates};</li>
 *   <li>{@code crdb-coordinator}: {@code crdb.config}, {@code bdb.config}, {@code crdb.tasks}, {@code suite.settings},
 *       through its transactional id, holding the single-writer group; reading {@code syncer.status} in groups of
 *       its own ({@code crdb-coordinator.status-*});</li>
 *   <li>{@code syncer-<cluster>}: {@code syncer.status}.</li>
 * </ul>
 * Topics are created by the admin before the services start: no service may create or reconfigure one. The broker
 * does all of it itself at start ({@code BrokerMain --provision FILE}), so every form (local, compose, Kubernetes)
 * gets the same users and ACLs from a file of passwords.
 */
public final class KafkaAccess {

    public static final String CERT_SERVICE = "cert-service";
    public static final String COORDINATOR = "crdb-coordinator";
    /** The prefix of the coordinators' status-reading groups ({@code crdb-coordinator.status-<uuid>}). */
    public static final String STATUS_GROUPS = "crdb-coordinator.status-";

    /**
     * The suite's topics as named in the design (without a deployment's prefix) and their partitions: the same as
     * event-contracts' {@code Topic} (which this module cannot depend on; {@code TopicAccessTest} there keeps them equal).
     */
    public static final Map<String, Integer> TOPIC_PARTITIONS = Map.of("crdb.config", 1, "bdb.config", 1, "cluster.certificates", 1,
            "syncer.status", 3, "crdb.tasks", 1, "suite.settings", 1);
    static final List<String> TOPICS = TOPIC_PARTITIONS.keySet().stream().sorted().toList();

    private KafkaAccess() {
    }

    public static String syncer(String cluster) {
        return "syncer-" + cluster;
    }

    /** Each user's ACLs, for topics under {@code prefix}. */
    public static Map<String, List<AclBinding>> acls(String prefix, List<String> clusters) {
        Map<String, List<AclBinding>> out = new LinkedHashMap<>();
        out.put(CERT_SERVICE, writes(CERT_SERVICE, prefix, List.of("cluster.certificates")));
        List<AclBinding> coordinator = writes(COORDINATOR, prefix, List.of("crdb.config", "bdb.config", "crdb.tasks", "suite.settings"));
        coordinator.add(allow(COORDINATOR, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, prefix + "crdb-coordinator", PatternType.LITERAL),
                AclOperation.WRITE));
        coordinator.add(allow(COORDINATOR, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, prefix + "crdb-coordinator", PatternType.LITERAL),
                AclOperation.DESCRIBE));
        coordinator.add(allow(COORDINATOR, new ResourcePattern(ResourceType.GROUP, prefix + "crdb-coordinator.writer", PatternType.LITERAL),
                AclOperation.READ));
        // each coordinator reads syncer.status in a consumer group of its own (Reactive Messaging; it commits nothing)
        coordinator.add(allow(COORDINATOR, new ResourcePattern(ResourceType.GROUP, prefix + STATUS_GROUPS, PatternType.PREFIXED),
                AclOperation.READ));
        out.put(COORDINATOR, coordinator);
        for (String c : clusters) {
            out.put(syncer(c), writes(syncer(c), prefix, List.of("syncer.status")));
        }
        return out;
    }

    private static List<AclBinding> writes(String user, String prefix, List<String> owned) {
        List<AclBinding> acls = new ArrayList<>();
        for (String t : TOPICS) {
            ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, prefix + t, PatternType.LITERAL);
            acls.add(allow(user, topic, AclOperation.READ));
            acls.add(allow(user, topic, AclOperation.DESCRIBE));
            acls.add(allow(user, topic, AclOperation.DESCRIBE_CONFIGS));
            if (owned.contains(t)) {
                acls.add(allow(user, topic, AclOperation.WRITE));
            }
        }
        return acls;
    }

    private static AclBinding allow(String user, ResourcePattern resource, AclOperation op) {
        return new AclBinding(resource, new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }

    /** Creates the suite's topics that are missing (compacted, one partition each but status's three), as the admin. */
    public static void createTopics(Admin admin, String prefix) throws Exception {
        java.util.Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<org.apache.kafka.clients.admin.NewTopic> missing = new ArrayList<>();
        for (String t : TOPICS) {
            if (!existing.contains(prefix + t)) {
                // as the services' TopicAdmin would make them: compacted, every status visible soon after compaction
                missing.add(new org.apache.kafka.clients.admin.NewTopic(prefix + t, TOPIC_PARTITIONS.get(t), (short) 1)
                        .configs(Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0")));
            }
        }
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Provisions from a properties file: {@code clusters} (comma-separated), optional {@code prefix}, and
     * {@code user.<name>=<password>} for every user of {@link #acls}.
     */
    public static void provision(Admin admin, java.nio.file.Path file) throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(file)) {
            p.load(in);
        }
        List<String> unknownKeys = p.stringPropertyNames().stream()
                .filter(k -> !k.equals("prefix") && !k.equals("clusters") && !k.startsWith("user.")).sorted().toList();
        if (!unknownKeys.isEmpty()) {
            throw new IllegalArgumentException(file + ": unknown key(s) " + unknownKeys + " (prefix, clusters, user.<name>)");
        }
        String prefix = p.getProperty("prefix", "");
        List<String> clusters = java.util.Arrays.stream(p.getProperty("clusters", "").split(",")).map(String::strip)
                .filter(c -> !c.isEmpty()).toList();
        Map<String, String> passwords = new LinkedHashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("user.")).forEach(k -> passwords.put(k.substring(5), p.getProperty(k)));
        validate(prefix, clusters, passwords); // the whole file before anything changes
        createTopics(admin, prefix);
        provision(admin, prefix, clusters, passwords);
    }

    /** Each user's ACLs, once every user has a password and no password is for a user the suite does not have. */
    private static Map<String, List<AclBinding>> validate(String prefix, List<String> clusters, Map<String, String> passwords) {
        Map<String, List<AclBinding>> acls = acls(prefix, clusters);
        List<String> unknown = passwords.keySet().stream().filter(u -> !acls.containsKey(u)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown Kafka user(s) " + unknown + "; the suite's users are " + acls.keySet());
        }
        List<String> missing = acls.keySet().stream().filter(u -> passwords.get(u) == null || passwords.get(u).isBlank()).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no password for the Kafka user(s) " + missing);
        }
        return acls;
    }

    /** Creates (or resets) each user's SCRAM credential and grants its ACLs, as the broker's admin. */
    public static void provision(Admin admin, String prefix, List<String> clusters, Map<String, String> passwords) throws Exception {
        Map<String, List<AclBinding>> acls = validate(prefix, clusters, passwords);
        List<UserScramCredentialUpsertion> users = new ArrayList<>();
        for (String user : acls.keySet()) {
            String password = passwords.get(user);
            users.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password));
        }
        admin.alterUserScramCredentials(new ArrayList<>(users)).all().get(30, TimeUnit.SECONDS);
        admin.createAcls(acls.values().stream().flatMap(List::stream).toList()).all().get(30, TimeUnit.SECONDS);
    }

}
