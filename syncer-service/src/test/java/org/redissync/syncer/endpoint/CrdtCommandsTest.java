package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redissync.syncer.resp.RequestParser;
import org.redissync.syncer.resp.Requests;

/** What a convergent CRDB instance's endpoint does with a command (pure logic; ConvergentEndpointIT over real connections). */
class CrdtCommandsTest {

    static CommandPolicy.Verdict judge(String... args) {
        RequestParser p = new RequestParser();
        ByteBuf in = Unpooled.copiedBuffer(Requests.resp(args), StandardCharsets.UTF_8);
        assertThat(p.parse(in)).isEqualTo(RequestParser.Status.COMMAND);
        CommandPolicy.Verdict v = CrdtCommands.judge(p.args());
        in.release();
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET k v", "set k v EX 10", "INCR n", "incrbyfloat f 0.5", "DEL a b", "UNLINK a", "EXPIRE k 10",
        "PERSIST k", "HSET h f v", "HINCRBY h f 1", "SADD s m", "SREM s m", "ZADD z 1 m", "ZINCRBY z 1 m", "ZREM z m", "ZPOPMIN z", "MSET a 1 b 2", "GETDEL k", "APPEND k x", "GETEX k"})
    void coveredWritesGoToTheLibrary(String command) {
        assertThat(judge(command.split(" "))).isSameAs(CrdtCommands.CONVERGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RPUSH l x", "LPUSH l x", "ZUNIONSTORE d 1 z", "BZPOPMIN z 0", "XADD s * f v", "SETBIT k 1 1", "PFADD h x", "RENAME a b",
        "FLUSHALL", "FLUSHDB", "EVAL return 1 0", "EVALSHA abc 0", "FCALL f 0", "FCALL_RO f 0", "FUNCTION FLUSH", "SORT l",
        "SPOP s", "SMOVE a b m", "COPY a b", "RESTORE k 0 x", "XGROUP CREATE s g $", "BITFIELD k SET u8 0 1", "GEOADD g 0 0 m"})
    void writesTheModelDoesNotCoverAreRefusedByName(String command) {
        CommandPolicy.Verdict v = judge(command.split(" "));
        assertThat(v.action()).isEqualTo(CommandPolicy.Action.REFUSE);
        assertThat(v.reply()).startsWith("-ERR " + command.split(" ")[0].toUpperCase() + " is not supported on an Active-Active database");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET k", "MGET a b", "HGETALL h", "SMEMBERS s", "TTL k", "SCAN 0", "KEYS *", "DBSIZE", "PING", "MULTI",
        "EXEC", "WATCH k", "SELECT 0", "LRANGE l 0 -1", "SUBSCRIBE c", "PUBLISH c m", "INFO", "OBJECT ENCODING k", "NOSUCHCOMMAND"})
    void readsAndConnectionCommandsPassAsTheyAre(String command) {
        assertThat(judge(command.split(" "))).isNull();
    }

    @Test
    void anActiveActiveDatabaseHasOneDatabase() {
        assertThat(judge("SELECT", "1").reply()).startsWith("-ERR DB index is out of range");
        assertThat(judge("SELECT", "0", "x").action()).isEqualTo(CommandPolicy.Action.REFUSE);
    }

    @Test
    void aCallOfTheLibraryCarriesTheClientsArgumentsAsSent() {
        ByteBuf request = Unpooled.copiedBuffer(Requests.resp("SET", "k", "a\r\nb"), StandardCharsets.UTF_8);
        ByteBuf call = CrdtCommands.rewrite(ByteBufAllocator.DEFAULT, request, 3, "cluster-a", 1_700_000_000_123L);
        request.release();
        assertThat(call.toString(StandardCharsets.UTF_8)).isEqualTo(
                Requests.resp("FCALL", "redissync_cmd", "0", "cluster-a", "1700000000123", "0", "SET", "k", "a\r\nb"));
        assertThat(call.release()).isTrue();
    }
}
