package org.redissync.events.kafka;

import org.redissync.events.Topic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Creates the suite's topics, the one place that does (idempotent: safe at every service start,
 * from every service at once). An existing topic that is not compacted is made compacted.
 */
public final class TopicAdmin {

    private static final Logger LOG = Logger.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    /** Ensures every topic of {@link Topic} exists under the settings' prefix, compacted. */
    public static void ensureTopics(KafkaSettings settings) throws TimeoutException, InterruptedException {
        try (Admin admin = Admin.create(settings.admin())) {
            ensureTopics(admin, settings);
        }
    }

    public static void ensureTopics(Admin admin, KafkaSettings settings) throws TimeoutException, InterruptedException {
        List<NewTopic> wanted = new ArrayList<>();
        for (Topic t : Topic.values()) {
            Map<String, String> configs = new HashMap<>();
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            // Keep every status visible quickly after compaction; desired state is small.
            configs.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0");
            wanted.add(new NewTopic(settings.topic(t), t.partitions(), settings.replicationFactor()).configs(configs));
        }
        try {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = wanted.stream().filter(n -> !existing.contains(n.name())).toList();
            if (!missing.isEmpty()) {
                var result = admin.createTopics(missing);
                for (NewTopic n : missing) {
                    try {
                        result.values().get(n.name()).get(10, TimeUnit.SECONDS);
                        LOG.infof("created topic %s (%d partitions, compacted)", n.name(), n.numPartitions());
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
            ensureCompacted(admin, wanted.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the suite's topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void ensureCompacted(Admin admin, Collection<String> names)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> fixes = new HashMap<>();
        configs.forEach((resource, config) -> {
            ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                LOG.warnf("topic %s is not compacted (cleanup.policy=%s): making it compacted", resource.name(),
                        policy == null ? "?" : policy.value());
                fixes.put(resource, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
                        AlterConfigOp.OpType.SET)));
            }
        });
        if (!fixes.isEmpty()) {
            admin.incrementalAlterConfigs(fixes).all().get(10, TimeUnit.SECONDS);
        }
    }
}
