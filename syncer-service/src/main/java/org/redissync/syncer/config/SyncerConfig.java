package org.redissync.syncer.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

import org.redissync.events.kafka.KafkaConfig;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;

/**
 * Everything the syncer-service can be told, under {@code redissync.*}. Checked at boot: a bad value
 * fails the start, not the first request.
 */
@ConfigMapping(prefix = "redissync")
public interface SyncerConfig {

    KafkaConfig kafka();

    /** The cluster this syncer-service serves (one syncer-service per cluster). */
    Cluster cluster();

    /** How CRDB instances resolve concurrent writes (design note: {@code crdt/CRDT.md}). */
    Crdt crdt();

    interface Crdt {
        /**
         * Convergent Active-Active: a CRDB instance's writes go through the convergence library (last writer wins by
         * HLC, counters, add-wins sets, …), channels merge op records, and writes the model does not cover are
         * refused (the default, as in Redis Enterprise). Off: channels replicate commands, the last to arrive wins,
         * and every Redis command is allowed. Every syncer-service of a suite must say the same.
         */
        @WithDefault("true")
        boolean convergent();

        /** How often each convergent CRDB instance ticks and collects its tombstones ({@code crdt/CrdtMaintenance}). */
        @WithDefault("5s")
        Duration maintenanceInterval();
    }

    interface Cluster {
        /** The cluster's name, as bdbs and CRDB instances refer to it. Required. */
        @NotBlank
        String name();

        /** DNS names / IPs clients use for this cluster's endpoints: the proxy certificate's names. */
        @WithDefault("localhost,127.0.0.1")
        List<String> endpointNames();

        /** Address the endpoints listen on. */
        @WithDefault("127.0.0.1")
        String bindHost();


        /** Servers per endpoint port (connections are spread over them); default: one per core. */
        Optional<Integer> acceptors();

        /**
         * Clients' commands share one backend connection per event loop and backend (as Redis
         * Enterprise's proxy does), flushed once per loop turn; a client whose command changes or
         * blocks its connection gets one of its own from then on. Off: one backend connection per client.
         */
        @WithDefault("true")
        boolean sharedBackendConnections();

        /** How many replies a client of an endpoint may leave unread (Redis's {@code client-output-buffer-limit}). */
        OutputBufferLimit clientOutputBufferLimit();

        /** The redis-servers this syncer-service runs, one per bdb of the cluster (RE's shards). */
        Shards shards();
    }

    /**
     * Each bdb without an external {@code backend} gets a redis-server of its own, started, sized, supervised and wiped by
     * this syncer-service. Design note: {@code shard/SHARDS.md}.
     */
    interface Shards {
        /** The redis-server binary (Debian's, or a bundled one). */
        @WithDefault("redis-server")
        String server();

        /**
         * Where each bdb's data, configuration and socket live ({@code bdb-<uid>/}), and the secret its passwords derive
         * from. Mode 0700: only this service's user reaches the sockets.
         */
        @WithDefault("redis")
        String dataDir();

        /** First wait before restarting a redis-server that died; doubles up to {@link #restartMax()}. */
        @WithDefault("100ms")
        Duration restartInitial();

        @WithDefault("10s")
        Duration restartMax();

        /** How long a new redis-server may take to answer. */
        @WithDefault("10s")
        Duration startTimeout();

        /**
         * Stop the redis-servers when the service stops. Off (the default, as RE's node keeps its shards running while its
         * agent restarts): a restart of the service (an upgrade) keeps every bdb's data in memory, persistent or not, and
         * the next start adopts them; a crash (kill -9) leaves them running either way. In a container they stop with it.
         */
        @WithDefault("false")
        boolean stopOnShutdown();

        /** {@code repl-backlog-size} of each redis-server: how long a channel may be away and still resume. */
        @WithDefault("64mb")
        String replBacklogSize();
    }

    /**
     * Replies written to a client that it has not read yet. Past {@link #soft()} the client's commands are no longer
     * read; past {@link #hard()}, or past the soft limit for {@link #softTime()}, it is disconnected (logged and counted
     * as {@code output_limit}). Redis's pub/sub class defaults: a shared backend connection cannot wait for one slow client.
     */
    interface OutputBufferLimit {
        @WithDefault("33554432")
        long hard();

        @WithDefault("8388608")
        long soft();

        @WithDefault("60s")
        Duration softTime();
    }

    /** Where the cluster's certificates come from: files (operator-managed), or cert-service by CSR. */
    Certificates certificates();

    Status status();

    interface Status {
        /**
         * How often this syncer-service says on {@code syncer.status} that it is alive. After three missed beats the
         * coordinator shows its reports (channels, tasks waiting on it) as unknown, with their age.
         */
        @WithDefault("PT2S")
        Duration heartbeatInterval();
    }

    interface Certificates {
        Optional<String> proxyCertificateFile();

        Optional<String> proxyKeyFile();

        Optional<String> syncerCertificateFile();

        Optional<String> syncerKeyFile();

        /** cert-service's TLS listener, e.g. {@code https://127.0.0.1:9444}. */
        Optional<String> certServiceUrl();

        /** This cluster's bootstrap token. */
        Optional<String> token();

        /** The suite CA certificate (PEM) that cert-service's listener is verified with. */
        Optional<String> caFile();

        /**
         * Where this service keeps its certificates and keys across restarts (a directory only it can enter; keys 0600).
         * With it a restart renews over mutual TLS with the kept syncer certificate instead of the bootstrap token, which
         * may then be short-lived ({@code token-expires-at} at cert-service). Unset: keys live in memory only, and every
         * start needs the token.
         */
        Optional<String> stateDir();
    }

    /** How the replication channels (CRDB peers, Replica Of sources) behave. */
    Channels channels();

    interface Channels {
        /**
         * First wait before reconnecting after a connection error; doubles up to {@link #retryMax()}.
         * Short: after an encryption switch a channel may reach the source's endpoint a moment before
         * the endpoint itself switched.
         */
        @WithDefault("10ms")
        Duration retryInitial();

        @WithDefault("5s")
        Duration retryMax();

        /** No byte from the source for this long (it pings every 10 s) means the link is dead. */
        @WithDefault("30s")
        Duration readTimeout();

        /** Most source commands applied in one local MULTI/EXEC. */
        @WithDefault("4096")
        int batchMaxCommands();

        /**
         * Parsed commands waiting to be applied; a full queue stops reading from the source (backpressure).
         * Two batches: enough to keep the applier busy while the reader parses. Larger only costs: every
         * queued command is live data each young GC copies (at 65536 the syncer's GC threads took 14 % of
         * its CPU under load and replication ran at 0.50× native; at 8192, 0.85×).
         */
        @WithDefault("8192")
        int queueSize();

        /** Skipped (echoed) stream bytes after which the position is committed even without data of our own. */
        @WithDefault("1048576")
        long skipCommitBytes();

        /**
         * Complete TLS handshakes run in memory at start, in the background, so that a channel's first
         * encrypted connections do not run the JVM's TLS code interpreted (hundreds of ms each under
         * load instead of a few). 0 turns it off.
         */
        @WithDefault("100")
        int tlsWarmUpHandshakes();

        /**
         * ECDSA signatures of the channels' TLS handshakes by Bouncy Castle instead of the JDK ({@code FastEcdsa}): about
         * 25 % less time per handshake here. Off gives the JDK's own.
         */
        @WithDefault("true")
        boolean fastEcdsa();

        /**
         * Who runs the channels' TLS client: {@code boringssl} (Conscrypt: BoringSSL behind the JSSE API that
         * redis-replicator's blocking sockets need; a handshake costs about a quarter of the JDK's) or {@code jdk}.
         * Where Conscrypt cannot load its native library, the JDK's is used and a warning logged.
         */
        @WithDefault("boringssl")
        TlsProvider tlsProvider();
    }

    /** {@link Channels#tlsProvider()}. */
    enum TlsProvider {
        BORINGSSL,
        JDK
    }
}
