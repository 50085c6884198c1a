package org.redissync.syncer.shard;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.redissync.events.RedisAddress;

/**
 * Where a bdb's data lives, and how the syncer-service logs in there. A shard of our own (RE's word for a database's
 * redis-server) has two users: {@code default}, which every client command runs as (restricted: it backs up the
 * endpoint's command policy), and {@link #ADMIN_USER}, which only the syncer-service itself uses (channels applying a
 * stream, configuration). An external Redis (the bdb's {@code backend}) has neither: the operator secures it.
 *
 * @param clientPassword  the {@code default} user's password, null for an external Redis
 * @param adminPassword   {@link #ADMIN_USER}'s password, null for an external Redis
 * @param replicaPassword {@link #REPLICA_USER}'s password, null for an external Redis
 */
public record Backend(RedisAddress address, String clientPassword, String adminPassword, String replicaPassword) {

    /** The shard's user for the syncer-service's own connections. */
    public static final String ADMIN_USER = "redissync";
    /**
     * The shard's user for a replica's connection through the endpoint (a peer's channel, an external replica whose
     * certificate the bdb trusts): it may replicate and nothing else ({@code ShardAcl.replicaRules}). Once a connection
     * replicates, the endpoint passes its bytes as they are; this user is what still holds it to replication.
     */
    public static final String REPLICA_USER = "redissync-replica";

    public Backend {
        Objects.requireNonNull(address, "address");
    }

    public Backend(RedisAddress address, String clientPassword, String adminPassword) {
        this(address, clientPassword, adminPassword, null);
    }

    /** An operator's Redis, reached as it is. */
    public static Backend external(RedisAddress address) {
        return new Backend(address, null, null, null);
    }

    /** {@code AUTH <replica user> <password>} as a RESP request, or null when the backend has no such user (an external Redis). */
    public byte[] replicaAuth() {
        if (replicaPassword == null) {
            return null;
        }
        return ("*3\r\n$4\r\nAUTH\r\n$" + REPLICA_USER.length() + "\r\n" + REPLICA_USER + "\r\n$" + replicaPassword.length() + "\r\n"
                + replicaPassword + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    public boolean managed() {
        return clientPassword != null;
    }

    /** {@code AUTH <client password>} as a RESP request, or null when no login is needed. */
    public byte[] clientAuth() {
        if (clientPassword == null) {
            return null;
        }
        return ("*2\r\n$4\r\nAUTH\r\n$" + clientPassword.length() + "\r\n" + clientPassword + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Never prints a password. */
    @Override
    public String toString() {
        return address + (managed() ? " (own shard)" : "");
    }
}
