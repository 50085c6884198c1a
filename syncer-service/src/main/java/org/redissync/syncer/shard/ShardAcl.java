package org.redissync.syncer.shard;

import java.util.ArrayList;
import java.util.List;

/**
 * The ACL of a shard's {@code default} user, which every client command runs as: all keys and channels, every command
 * except those the endpoint's command policy refuses. It backs the policy up: a command the endpoint let through by
 * mistake is still refused by Redis ({@code NOPERM}). Keys stay {@code ~*}: a key pattern that excluded the suite's
 * reserved prefix would also disable {@code SORT … BY/GET} (Redis allows those only with access to every key); the
 * reserved keys live in a database clients cannot select (see {@code docs/endpoints.md}).
 *
 * <p>Replication ({@code SYNC}, {@code PSYNC}, {@code REPLCONF}) stays allowed: the endpoint's replication gate decides
 * who may (a trusted syncer certificate, a certificate pasted into the bdb's client certificates; anyone, as in RE,
 * with {@code tls_mode: disabled}), and logs a replicating connection in again as the replication-only user
 * ({@link #replicaRules}) before its bytes pass unparsed.
 */
public final class ShardAcl {

    /** Whole commands a client may not run (the endpoint's policy, docs/endpoints.md). */
    static final List<String> DENIED_COMMANDS = List.of("shutdown", "debug", "replicaof", "slaveof", "failover", "save", "bgsave",
            "bgrewriteaof", "lastsave", "migrate", "swapdb", "role", "restore-asking", "asking", "readonly", "readwrite", "wait",
            "waitaof", "pfdebug", "pfselftest", "cluster", "module");

    /** Subcommands a client may not run. */
    static final List<String> DENIED_SUBCOMMANDS = List.of("config|rewrite", "config|resetstat", "acl|deluser", "acl|genpass", "acl|load",
            "acl|log", "acl|save", "acl|setuser", "acl|list", "acl|getuser", "acl|dryrun", "client|kill", "client|pause",
            "client|unpause", "client|no-evict", "client|getredir", "memory|doctor", "memory|malloc-stats", "memory|purge",
            "memory|stats", "latency|doctor", "latency|graph", "latency|history", "latency|latest", "latency|reset",
            "script|debug");

    private ShardAcl() {
    }

    /**
     * The rules, one per {@code ACL SETUSER} argument after the password. A command this Redis does not know (a newer
     * one in the list) makes Redis refuse the whole command; {@link #unknownRule} names it so it can be left out.
     */
    static List<String> clientRules() {
        List<String> rules = new ArrayList<>();
        rules.add("~*");
        rules.add("&*");
        rules.add("+@all");
        DENIED_COMMANDS.forEach(c -> rules.add("-" + c));
        DENIED_SUBCOMMANDS.forEach(c -> rules.add("-" + c));
        return rules;
    }

    /**
     * The rules of {@code Backend.REPLICA_USER}: the commands a replica sends (Redis's ACL guide for replicas), no keys, no
     * channels. A replicating connection's bytes pass the endpoint unparsed; with this user a {@code SELECT}, a write or
     * anything else sent on it is refused by Redis ({@code NOPERM}).
     */
    static List<String> replicaRules() {
        return List.of("resetkeys", "resetchannels", "-@all", "+psync", "+sync", "+replconf", "+ping");
    }

    /** The rule Redis refused as an unknown command ({@code ERR Error in ACL SETUSER modifier '-x': Unknown command…}), or null. */
    static String unknownRule(String error) {
        var m = java.util.regex.Pattern.compile("modifier '([^']*)': Unknown command").matcher(error);
        return m.find() ? m.group(1) : null;
    }
}
