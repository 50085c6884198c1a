package org.redissync.events;


/**
 * The suite's six topics: the one place that names them and says how they are laid out.
 * Desired-state topics have one partition: a total order of changes, read to the end on start
 * (the Kafka Connect config-topic pattern). All are compacted: the latest event per key is the
 * current state of that aggregate.
 */
public enum Topic {
    CRDB_CONFIG("crdb.config", CrdbConfigEvent.class, 1),
    BDB_CONFIG("bdb.config", BdbConfigEvent.class, 1),
    CLUSTER_CERTIFICATES("cluster.certificates", ClusterCertificateEvent.class, 1),
    SYNCER_STATUS("syncer.status", SyncerStatusEvent.class, 3),
    CRDB_TASKS("crdb.tasks", CrdbTaskEvent.class, 1),
    SUITE_SETTINGS("suite.settings", SuiteSettingsEvent.class, 1);

    private final String baseName;
    private final Class<? extends SuiteEvent> eventType;
    private final int partitions;

    Topic(String baseName, Class<? extends SuiteEvent> eventType, int partitions) {
        this.baseName = baseName;
        this.eventType = eventType;
        this.partitions = partitions;
    }

    /** The name without a prefix, as in the design. */
    public String baseName() {
        return baseName;
    }

    /** The name under a deployment's prefix (empty in production, unique per test run). */
    public String name(String prefix) {
        return (prefix == null ? "" : prefix) + baseName;
    }

    public Class<? extends SuiteEvent> eventType() {
        return eventType;
    }

    public int partitions() {
        return partitions;
    }

    public boolean compacted() {
        return true;
    }

    /** The topic whose sealed event type {@code type} belongs to. */
    public static Topic of(Class<? extends SuiteEvent> type) {
        for (Topic t : values()) {
            if (t.eventType.isAssignableFrom(type)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no topic carries " + type.getName());
    }
}
