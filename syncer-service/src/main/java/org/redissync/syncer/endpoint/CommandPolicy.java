package org.redissync.syncer.endpoint;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.redissync.syncer.channel.Position;
import org.redissync.syncer.resp.RequestParser;

/**
 * What a database endpoint does with one client command before Redis sees it, in the manner of Redis Enterprise's
 * proxy: commands that administer the Redis behind the endpoint, change its topology or replicate from it are refused
 * with a Redis error and never reach it; the suite's reserved keys and channels are out of reach; everything else
 * goes to Redis, on a shared backend connection when its reply is exactly one reply and it changes nothing about the
 * connection, else on a connection of the client's own. Pure logic: the list, with the reason for each entry, is in
 * {@code docs/endpoints.md} ("Command policy").
 */
final class CommandPolicy {

    enum Action {
        /** Passed on; may share a backend connection with other clients' commands. */
        SHARE,
        /** Passed on, on a backend connection of the client's own (from this command on, for good). */
        OWN,
        /** Answered by the endpoint with {@link Verdict#reply()}; the connection goes on. */
        REFUSE,
        /** Answered with {@link Verdict#reply()}, then the connection is closed (replication from a client). */
        REFUSE_AND_CLOSE,
        /** A replication command where replication is open to anyone ({@code tls_mode: disabled}): from it on, bytes pass as they are. */
        REPLICATE,
        /** A write on a convergent CRDB instance: sent as a call of the convergence library ({@link CrdtCommands}). */
        CONVERGE
    }

    /** An action and, for refusals, the whole reply line and the refusal's metric reason. */
    record Verdict(Action action, String reply, Refusal reason) {
        boolean refused() {
            return action == Action.REFUSE || action == Action.REFUSE_AND_CLOSE;
        }
    }

    static final Verdict SHARE = new Verdict(Action.SHARE, null, null);
    static final Verdict OWN = new Verdict(Action.OWN, null, null);
    static final Verdict REPLICATE = new Verdict(Action.REPLICATE, null, null);
    /** The suite's reserved database ({@link Position#RESERVED_DB}, channel positions) does not exist for clients. */
    private static final Verdict RESERVED_DB_VERDICT = new Verdict(Action.REFUSE, "-ERR DB index is out of range\r\n", Refusal.RESERVED_STATE);
    private static final String RESERVED_DB_INDEX = Integer.toString(Position.RESERVED_DB);

    static final String REPLICATION_REFUSED = "ERR replication is accepted only over TLS from a trusted syncer certificate "
            + "or a certificate in the database's authentication_ssl_client_certs";
    static final String RESERVED = "ERR keys, channels and patterns starting with '__redissync:' are reserved for the suite";

    /** How one command name is treated. */
    private enum Kind {
        /** Needs a connection of its own (changes the connection's state, blocks, or answers other than once). */
        OWN,
        /** Refused whatever its arguments. */
        REFUSED,
        /** {@code SYNC}, {@code PSYNC}, {@code REPLCONF}: only trusted syncers replicate; a client is refused and closed. */
        REPLICATION,
        /** Judged by its subcommand ({@link #subcommand}). */
        CONTAINER
    }

    private static final Map<String, Kind> KINDS = new HashMap<>();

    private static void kind(Kind k, String... names) {
        for (String n : names) {
            KINDS.put(n, k);
        }
    }

    static {
        kind(Kind.OWN, "AUTH", "HELLO", "SELECT", "RESET", "QUIT", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
                "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR",
                "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "XREAD", "XREADGROUP");
        // Administration and topology (RE: not supported), and what reaches outside the database.
        kind(Kind.REFUSED, "SHUTDOWN", "DEBUG", "REPLICAOF", "SLAVEOF", "FAILOVER", "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE",
                "MIGRATE", "SWAPDB", "ROLE", "RESTORE-ASKING", "ASKING", "READONLY", "READWRITE", "WAIT", "WAITAOF",
                "PFDEBUG", "PFSELFTEST", "CLUSTER");
        kind(Kind.REPLICATION, "SYNC", "PSYNC", "REPLCONF");
        kind(Kind.CONTAINER, "CONFIG", "ACL", "CLIENT", "MODULE", "MEMORY", "LATENCY", "SCRIPT");
    }

    /** Subcommands allowed per container; any other known one is refused (an unknown one goes to Redis, which says so). */
    private static final Map<String, Set<String>> REFUSED_SUBCOMMANDS = Map.of(
            "CONFIG", Set.of("REWRITE", "RESETSTAT"),
            "ACL", Set.of("DELUSER", "GENPASS", "LOAD", "LOG", "SAVE", "SETUSER", "LIST", "GETUSER"),
            "CLIENT", Set.of("KILL", "PAUSE", "UNPAUSE", "NO-EVICT", "GETREDIR"),
            "MODULE", Set.of("HELP", "LOAD", "LOADEX", "UNLOAD"),
            "MEMORY", Set.of("DOCTOR", "MALLOC-STATS", "PURGE", "STATS"),
            "LATENCY", Set.of("DOCTOR", "GRAPH", "HELP", "HISTORY", "LATEST", "RESET"),
            "SCRIPT", Set.of("DEBUG"));

    /** The configuration parameters Redis Enterprise lets a client read and set (its "configuration settings" reference). */
    static final Set<String> CONFIG_PARAMETERS = Set.of("activerehashing", "busy-reply-threshold", "hash-max-listpack-entries",
            "hash-max-listpack-value", "hash-max-ziplist-entries", "hash-max-ziplist-value", "hll-sparse-max-bytes",
            "list-compress-depth", "list-max-listpack-size", "list-max-ziplist-size", "lua-time-limit", "notify-keyspace-events",
            "set-max-intset-entries", "slowlog-log-slower-than", "slowlog-max-len", "stream-node-max-bytes",
            "stream-node-max-entries", "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries",
            "zset-max-ziplist-value");

    private CommandPolicy() {
    }

    /**
     * Judges the command whose arguments {@code args} holds. Called for every client command, so the common case (a
     * data command) costs a hash of its name and no allocation. With {@code complete} false the command is still
     * arriving (a large one, judged by its head so its bytes can be passed on): a rule that needs arguments not read
     * yet refuses.
     */
    static Verdict judge(RequestParser.Args args, boolean complete) {
        return judge(args, complete, false);
    }

    /** As {@link #judge(RequestParser.Args, boolean)}; {@code replicationOpen}: an endpoint without TLS, where anyone may replicate. */
    static Verdict judge(RequestParser.Args args, boolean complete, boolean replicationOpen) {
        if (args.reserved()) {
            return new Verdict(Action.REFUSE, "-" + RESERVED + "\r\n", Refusal.RESERVED_STATE);
        }
        if (!args.readable(0)) {
            return SHARE; // a name longer than any command's: Redis answers "unknown command"
        }
        Kind k = kindOf(args);
        if (k == null) {
            return reservedDb(args) ? RESERVED_DB_VERDICT : SHARE;
        }
        if (k == Kind.OWN && reservedDb(args)) {
            return RESERVED_DB_VERDICT;
        }
        return switch (k) {
            case OWN -> OWN;
            case REFUSED -> refused(args.string(0).toLowerCase(Locale.ROOT));
            case REPLICATION -> replicationOpen ? REPLICATE
                    : new Verdict(Action.REFUSE_AND_CLOSE, "-" + REPLICATION_REFUSED + "\r\n", Refusal.REPLICATION_REFUSED);
            case CONTAINER -> subcommand(args, complete);
        };
    }

    /**
     * Whether the command makes the replies on its connection stop matching its commands one for one (pub/sub messages,
     * MONITOR's feed, RESP3 pushes, replies turned off): the endpoint then stops counting them.
     */
    static boolean unevenReplies(RequestParser.Args a) {
        return a.is(0, "SUBSCRIBE") || a.is(0, "PSUBSCRIBE") || a.is(0, "SSUBSCRIBE") || a.is(0, "UNSUBSCRIBE") || a.is(0, "PUNSUBSCRIBE")
                || a.is(0, "SUNSUBSCRIBE") || a.is(0, "MONITOR") || a.is(0, "HELLO") || a.is(0, "RESET")
                || (a.is(0, "CLIENT") && (a.is(1, "REPLY") || a.is(1, "TRACKING")));
    }

    private static Verdict subcommand(RequestParser.Args args, boolean complete) {
        String container = args.string(0).toUpperCase(Locale.ROOT);
        boolean isClient = container.equals("CLIENT");
        if (args.total() < 2 || !args.readable(1)) {
            return isClient ? OWN : SHARE; // Redis answers the missing or unknown subcommand itself
        }
        String sub = args.string(1).toUpperCase(Locale.ROOT);
        if (REFUSED_SUBCOMMANDS.get(container).contains(sub)) {
            return refused(container.toLowerCase(Locale.ROOT) + "|" + sub.toLowerCase(Locale.ROOT));
        }
        if (container.equals("CONFIG") && (sub.equals("GET") || sub.equals("SET"))) {
            return config(args, sub.equals("SET"), complete);
        }
        return isClient ? OWN : SHARE; // CLIENT's other subcommands change or read the connection's own state
    }

    /** {@code CONFIG GET p [p ...]} and {@code CONFIG SET p v [p v ...]}: only RE's parameters, named exactly. */
    private static Verdict config(RequestParser.Args args, boolean set, boolean complete) {
        if (!complete || args.count() > RequestParser.RECORDED) {
            return refused("config|" + (set ? "set" : "get"));
        }
        for (int i = 2; i < args.count(); i += set ? 2 : 1) {
            String p = args.string(i).toLowerCase(Locale.ROOT);
            if (!CONFIG_PARAMETERS.contains(p)) {
                return new Verdict(Action.REFUSE, "-ERR CONFIG " + (set ? "SET" : "GET") + " of '" + printable(args.string(i))
                        + "' is not allowed on this endpoint\r\n", Refusal.COMMAND_REFUSED);
            }
        }
        return SHARE;
    }

    private static Verdict refused(String name) {
        return new Verdict(Action.REFUSE, "-ERR command '" + printable(name) + "' is not allowed on this endpoint\r\n", Refusal.COMMAND_REFUSED);
    }

    /** A client's text in an error line: no line ends, at most 128 characters (as Redis quotes arguments). */
    private static String printable(String s) {
        String t = s.length() > 128 ? s.substring(0, 128) : s;
        return t.replace('\r', ' ').replace('\n', ' ');
    }

    // An open-addressing table of the listed names (upper case), probed with a hash of argument 0 read in place.
    private static final int SLOTS = 256;
    private static final byte[][] SLOT_NAME = new byte[SLOTS][];
    private static final Kind[] SLOT_KIND = new Kind[SLOTS];

    static {
        KINDS.forEach((name, kind) -> {
            byte[] b = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int h = 0;
            for (byte x : b) {
                h = h * 31 + x;
            }
            int slot = h & (SLOTS - 1);
            while (SLOT_NAME[slot] != null) {
                slot = (slot + 1) & (SLOTS - 1);
            }
            SLOT_NAME[slot] = b;
            SLOT_KIND[slot] = kind;
        });
    }

    /** {@code SELECT}, {@code MOVE} or {@code COPY ... DB} naming the reserved database. */
    private static boolean reservedDb(RequestParser.Args a) {
        if (a.is(0, "SELECT")) {
            return a.total() == 2 && a.is(1, RESERVED_DB_INDEX);
        }
        if (a.is(0, "MOVE")) {
            return a.total() == 3 && a.is(2, RESERVED_DB_INDEX);
        }
        if (a.is(0, "COPY")) {
            if (a.count() > RequestParser.RECORDED) {
                return true; // options past the recorded arguments cannot be read (Redis takes repeated ones): refused
            }
            for (int i = 3; i + 1 < a.count(); i++) {
                if (a.is(i, "DB") && a.is(i + 1, RESERVED_DB_INDEX)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The kind of the command named by argument 0 (any case); allocates nothing. */
    private static Kind kindOf(RequestParser.Args args) {
        int n = args.length(0);
        if (n < 3 || n > 14) {
            return null; // no listed name is shorter or longer
        }
        int h = 0;
        for (int i = 0; i < n; i++) {
            h = h * 31 + upper(args.byteAt(0, i));
        }
        for (int slot = h & (SLOTS - 1); SLOT_NAME[slot] != null; slot = (slot + 1) & (SLOTS - 1)) {
            byte[] name = SLOT_NAME[slot];
            if (name.length == n && sameName(args, name)) {
                return SLOT_KIND[slot];
            }
        }
        return null;
    }

    private static boolean sameName(RequestParser.Args args, byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if (upper(args.byteAt(0, i)) != name[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte upper(byte b) {
        return b >= 'a' && b <= 'z' ? (byte) (b - 32) : b;
    }
}
