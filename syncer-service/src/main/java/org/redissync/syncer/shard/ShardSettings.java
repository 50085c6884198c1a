package org.redissync.syncer.shard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.RedisAddress;

/**
 * What a bdb asks of its redis-server, in Redis's terms: {@code memory_size} → {@code maxmemory},
 * {@code eviction_policy} → {@code maxmemory-policy}, {@code data_persistence} → {@code appendonly}/{@code save}. The same
 * values go into the configuration file (a restart keeps them) and, on a change, to {@code CONFIG SET} (applied live).
 */
record ShardSettings(long maxmemory, String policy, String persistence) {

    /** RE's {@code snapshot} persistence: Redis's classic save points. */
    static final String SNAPSHOT_SAVE = "3600 1 300 100 60 10000";

    static ShardSettings of(BdbConfigured b) {
        return new ShardSettings(Math.max(0, b.memorySize()), b.effectiveEvictionPolicy(), b.effectiveDataPersistence());
    }

    boolean appendonly() {
        return persistence.equals("aof");
    }

    String save() {
        return persistence.equals("snapshot") ? SNAPSHOT_SAVE : "";
    }

    /** The {@code CONFIG SET} arguments that turn {@code before} into this (empty when nothing changed). */
    List<String> configSet(ShardSettings before) {
        List<String> args = new ArrayList<>();
        if (before == null || before.maxmemory != maxmemory) {
            args.add("maxmemory");
            args.add(Long.toString(maxmemory));
        }
        if (before == null || !before.policy.equals(policy)) {
            args.add("maxmemory-policy");
            args.add(policy);
        }
        if (before == null || before.appendonly() != appendonly()) {
            args.add("appendonly");
            args.add(appendonly() ? "yes" : "no");
        }
        if (before == null || !before.save().equals(save())) {
            args.add("save");
            args.add(save());
        }
        return args;
    }

    /**
     * The redis-server configuration file of a shard in {@code dir}, listening on {@code address} only (a Unix socket of
     * mode 0700, or a loopback port), with no usable user until the syncer-service sets the client user's rules after
     * start (so a client never finds it open with too much); {@link Backend#ADMIN_USER} logs in with {@code adminHash}.
     */
    String configFile(long uid, Path dir, RedisAddress address, String adminHash, String replBacklogSize) {
        StringBuilder c = new StringBuilder();
        c.append("# bdb ").append(uid).append(": written by syncer-service on every start and change; edits are lost.\n");
        if (address.isUnix()) {
            c.append("port 0\n");
            c.append("unixsocket ").append(quoted(address.socketPath())).append('\n');
            c.append("unixsocketperm 700\n");
        } else {
            c.append("bind 127.0.0.1 -::1\n");
            c.append("port ").append(address.port()).append('\n');
        }
        c.append("protected-mode yes\n");
        c.append("daemonize no\n");
        c.append("dir ").append(quoted(dir.toString())).append('\n');
        c.append("pidfile ").append(quoted(dir.resolve("redis.pid").toString())).append('\n');
        c.append("logfile ").append(quoted(dir.resolve("redis.log").toString())).append('\n');
        c.append("databases 16\n");
        c.append("maxmemory ").append(maxmemory).append('\n');
        c.append("maxmemory-policy ").append(policy).append('\n');
        c.append("appendonly ").append(appendonly() ? "yes" : "no").append('\n');
        c.append("appendfsync everysec\n");
        c.append("save \"").append(save()).append("\"\n");
        c.append("repl-backlog-size ").append(replBacklogSize).append('\n');
        // a channel's full sync streams at once: Redis 7's default waits 5 s for more replicas to share it, which made
        // every first sync (and every task waiting on one) 5 s late
        c.append("repl-diskless-sync yes\n");
        c.append("repl-diskless-sync-delay 0\n");
        c.append("user default off resetpass -@all\n");
        c.append("user ").append(Backend.ADMIN_USER).append(" on ").append(adminHash).append(" ~* &* +@all\n");
        return c.toString();
    }

    private static String quoted(String s) {
        if (s.indexOf('"') >= 0 || s.indexOf('\\') >= 0 || s.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("path unusable in a redis configuration file: " + s);
        }
        return "\"" + s + "\"";
    }
}
