package org.redissync.events;

/**
 * Every event the suite puts on Kafka. Each carries its schema {@code version} and enough state to
 * act on alone (event-carried state transfer); its Kafka key is the id of the aggregate it describes,
 * so compacted topics keep the latest state of every aggregate.
 */
public interface SuiteEvent {

    /** Schema version of this record type; consumers ignore fields they do not know. */
    int version();

    /** The Kafka record key: the aggregate id. */
    String key();
}
