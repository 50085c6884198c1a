package org.redissync.syncer.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import org.redissync.syncer.crdt.CrdtLibrary;
import org.redissync.syncer.resp.RequestParser;

/**
 * What a convergent CRDB instance's endpoint does with a client command besides {@link CommandPolicy}: a write the
 * convergence model covers goes to the library ({@code FCALL redissync_cmd 0 <cluster> <wall-ms> 0 <command...>},
 * stamped here with the endpoint's clock); a write it does not cover is refused by name, never passed on (it would
 * diverge); anything else (reads, connection commands) goes as it is. An instance has one database, 0, as in Redis
 * Enterprise's Active-Active. Pure logic; the lists are {@code crdt/CRDT.md}'s table.
 */
final class CrdtCommands {

    /** The writes the library makes convergent (crdt/redissync.lua's commands). */
    static final Set<String> CONVERGENT = Set.of("SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "MSET", "MSETNX",
            "APPEND", "SETRANGE", "INCR", "DECR", "INCRBY", "DECRBY", "INCRBYFLOAT", "DEL", "UNLINK", "EXPIRE", "PEXPIRE",
            "EXPIREAT", "PEXPIREAT", "PERSIST", "HSET", "HMSET", "HSETNX", "HDEL", "HINCRBY", "HINCRBYFLOAT", "SADD", "SREM",
            "ZADD", "ZINCRBY", "ZREM", "ZPOPMIN", "ZPOPMAX", "ZREMRANGEBYSCORE", "ZREMRANGEBYRANK", "ZREMRANGEBYLEX");

    /**
     * Refused on a CRDB instance: every other command Redis 7.0 flags {@code write} ({@code COMMAND}; checked against a
     * running redis-server by {@code CrdtCommandsIT}), scripts and functions (their effects would bypass the model;
     * RE runs them as CRDT effects), and stream groups.
     */
    static final Set<String> NOT_CONVERGENT = Set.of("BITFIELD", "BITOP", "BLMOVE", "BLMPOP", "BLPOP", "BRPOP", "BRPOPLPUSH",
            "BZMPOP", "BZPOPMAX", "BZPOPMIN", "COPY", "FLUSHALL", "FLUSHDB", "GEOADD", "GEORADIUS", "GEORADIUSBYMEMBER",
            "GEOSEARCHSTORE", "LINSERT", "LMOVE", "LMPOP", "LPOP", "LPUSH", "LPUSHX", "LREM", "LSET", "LTRIM", "MIGRATE", "MOVE",
            "PFADD", "PFDEBUG", "PFMERGE", "RENAME", "RENAMENX", "RESTORE", "RESTORE-ASKING", "RPOP", "RPOPLPUSH", "RPUSH",
            "RPUSHX", "SDIFFSTORE", "SETBIT", "SINTERSTORE", "SMOVE", "SORT", "SPOP", "SUNIONSTORE", "SWAPDB", "XACK", "XADD",
            "XAUTOCLAIM", "XCLAIM", "XDEL", "XREADGROUP", "XSETID", "XTRIM", "ZDIFFSTORE", "ZINTERSTORE", "ZMPOP", "ZRANGESTORE",
            "ZUNIONSTORE", "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO", "FUNCTION", "XGROUP");

    static final CommandPolicy.Verdict CONVERGE = new CommandPolicy.Verdict(CommandPolicy.Action.CONVERGE, null, null);
    private static final CommandPolicy.Verdict ONE_DATABASE = new CommandPolicy.Verdict(CommandPolicy.Action.REFUSE,
            "-ERR DB index is out of range (an Active-Active database has one database, 0)\r\n", Refusal.COMMAND_REFUSED);

    /**
     * A convergent write is rewritten whole, so the endpoint holds all of it before it goes on (a plain bdb's large
     * write is streamed): larger ones are refused, so that a client cannot make the endpoint hold Redis's 512 MB per
     * connection.
     */
    static final int MAX_WRITE = 64 << 20;
    static final CommandPolicy.Verdict TOO_LARGE = new CommandPolicy.Verdict(CommandPolicy.Action.REFUSE,
            "-ERR a write to an Active-Active database is limited to " + (MAX_WRITE >> 20) + " MB\r\n", Refusal.COMMAND_REFUSED);

    private static final int LONGEST = 16;

    private CrdtCommands() {
    }

    /** The verdict on a CRDB instance for a command {@link CommandPolicy} let through: null to pass it as it is. */
    static CommandPolicy.Verdict judge(RequestParser.Args a) {
        if (!a.readable(0) || a.length(0) > LONGEST) {
            return null; // Redis answers "unknown command"
        }
        String name = a.string(0).toUpperCase(Locale.ROOT);
        if (CONVERGENT.contains(name)) {
            return CONVERGE;
        }
        if (NOT_CONVERGENT.contains(name)) {
            return new CommandPolicy.Verdict(CommandPolicy.Action.REFUSE, "-ERR " + name + " is not supported on an Active-Active "
                    + "database: its conflicts would not converge (the types and commands that do are in docs/channels.md)\r\n",
                    Refusal.COMMAND_REFUSED);
        }
        if (name.equals("SELECT") && !(a.total() == 2 && a.is(1, "0"))) {
            return ONE_DATABASE;
        }
        return null;
    }

    /**
     * The client's command {@code request} (its whole multibulk bytes, or the multibulk form of an inline one) as a call
     * of the library, stamped with {@code wallMs}: {@code *<n+6>} and the call's six arguments, then the command's own
     * arguments as the client sent them (not copied: {@code request} is retained in the result).
     */
    static ByteBuf rewrite(ByteBufAllocator alloc, ByteBuf request, long total, String origin, long wallMs) {
        int header = request.indexOf(request.readerIndex(), request.writerIndex(), (byte) '\n') + 1 - request.readerIndex();
        StringBuilder b = new StringBuilder(96);
        b.append('*').append(total + 6).append("\r\n");
        bulk(b, "FCALL");
        bulk(b, CrdtLibrary.CMD);
        bulk(b, "0");
        bulk(b, origin);
        bulk(b, Long.toString(wallMs));
        bulk(b, "0");
        byte[] prefix = b.toString().getBytes(StandardCharsets.UTF_8);
        CompositeByteBuf out = alloc.compositeBuffer(2);
        out.addComponent(true, alloc.buffer(prefix.length).writeBytes(prefix));
        out.addComponent(true, request.retainedSlice(request.readerIndex() + header, request.readableBytes() - header));
        return out;
    }

    private static void bulk(StringBuilder b, String s) {
        b.append('$').append(s.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(s).append("\r\n");
    }
}
