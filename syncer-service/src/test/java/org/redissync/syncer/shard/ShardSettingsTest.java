package org.redissync.syncer.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.RedisAddress;

/** The pure parts of a shard: RE's fields in Redis's terms, the client user's rules, the passwords. */
class ShardSettingsTest {

    static BdbConfigured bdb(String crdb, String eviction, String persistence) {
        return new BdbConfigured(1, 7, 1, "db", "cluster-a", 12000, null, 1 << 20, crdb, Tls.disabled(), List.of(), "disabled",
                Instant.EPOCH, 0, eviction, persistence);
    }

    @Test
    void reDefaultsAreVolatileLruForAPlainBdbAndNoevictionForACrdbInstanceWithoutPersistence() {
        assertThat(ShardSettings.of(bdb(null, null, null))).isEqualTo(new ShardSettings(1 << 20, "volatile-lru", "disabled"));
        assertThat(ShardSettings.of(bdb("crdb:1", null, null))).isEqualTo(new ShardSettings(1 << 20, "noeviction", "disabled"));
        assertThat(ShardSettings.of(bdb("crdb:1", "allkeys-lru", "aof")).policy()).isEqualTo("allkeys-lru");
    }

    @Test
    void onlyWhatChangedIsSetLive() {
        ShardSettings a = new ShardSettings(1 << 20, "volatile-lru", "disabled");
        assertThat(a.configSet(a)).isEmpty();
        assertThat(new ShardSettings(2 << 20, "volatile-lru", "disabled").configSet(a)).containsExactly("maxmemory", "2097152");
        assertThat(new ShardSettings(1 << 20, "volatile-lru", "aof").configSet(a)).containsExactly("appendonly", "yes");
        assertThat(new ShardSettings(1 << 20, "noeviction", "snapshot").configSet(a))
                .containsExactly("maxmemory-policy", "noeviction", "save", ShardSettings.SNAPSHOT_SAVE);
        assertThat(a.configSet(null)).containsExactly("maxmemory", "1048576", "maxmemory-policy", "volatile-lru", "appendonly", "no",
                "save", "");
    }

    @Test
    void theConfigurationFileListensOnlyWhereToldAndOpensNoUserToClients(@TempDir Path dir) {
        ShardSettings s = new ShardSettings(1 << 20, "volatile-lru", "aof");
        String unix = s.configFile(7, dir, RedisAddress.unix(dir.resolve("redis.sock").toString()), "#abc", "64mb");
        assertThat(unix).contains("port 0\n", "unixsocket \"" + dir.resolve("redis.sock") + "\"\n", "unixsocketperm 700\n",
                "appendonly yes\n", "save \"\"\n", "maxmemory 1048576\n", "user default off resetpass -@all\n",
                "user redissync on #abc ~* &* +@all\n", "repl-backlog-size 64mb\n", "repl-diskless-sync-delay 0\n");
        String tcp = s.configFile(7, dir, RedisAddress.tcp("127.0.0.1", 41000), "#abc", "64mb");
        assertThat(tcp).contains("bind 127.0.0.1 -::1\n", "port 41000\n").doesNotContain("unixsocket");
        assertThatThrownBy(() -> s.configFile(7, Path.of("/tmp/a\"b"), RedisAddress.tcp("127.0.0.1", 1), "#", "1mb"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClientUserDeniesWhatTheEndpointRefuses() {
        List<String> rules = ShardAcl.clientRules();
        assertThat(rules).startsWith("~*", "&*", "+@all");
        assertThat(rules).contains("-shutdown", "-replicaof", "-slaveof", "-config|rewrite", "-acl|setuser", "-client|kill", "-module",
                "-swapdb", "-migrate", "-debug", "-failover", "-bgsave");
        assertThat(rules).doesNotContain("-config|get", "-config|set", "-flushall", "-psync", "-client|id");
    }

    @Test
    void passwordsDifferPerBdbAndUserSurviveARestartAndTheSecretIsPrivate(@TempDir Path dir) throws Exception {
        ShardSecrets first = ShardSecrets.in(dir);
        String a = first.password(7, "default");
        assertThat(a).hasSize(64).isNotEqualTo(first.password(7, "redissync")).isNotEqualTo(first.password(8, "default"));
        assertThat(ShardSecrets.in(dir).password(7, "default")).as("derived again after a restart").isEqualTo(a);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secret")))).isEqualTo("rw-------");
        assertThat(ShardSecrets.hashed("x")).isEqualTo("#2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
    }
}
