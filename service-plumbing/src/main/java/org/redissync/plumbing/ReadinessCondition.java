package org.redissync.plumbing;

/**
 * What a service's readiness needs beyond Kafka answering and its topics read to the end, named in the check's data:
 * the coordinator, for example, that it holds the single-writer lease (a standby takes no traffic).
 */
public interface ReadinessCondition {

    /** The name of this condition in the readiness data, e.g. {@code writer}. */
    String name();

    /** Its state now, as the readiness data shows it, e.g. {@code standby}. */
    String state();

    /** Whether the service may take traffic as far as this condition goes. */
    boolean ready();
}
