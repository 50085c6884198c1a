package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redissync.syncer.endpoint.CommandPolicy.Action;
import org.redissync.syncer.resp.RequestParser;
import org.redissync.syncer.resp.Requests;

/** The command policy, rule by rule (pure logic: the endpoint tests show the same refusals over real connections). */
class CommandPolicyTest {

    static CommandPolicy.Verdict judge(String... args) {
        RequestParser p = new RequestParser();
        ByteBuf in = Unpooled.copiedBuffer(Requests.resp(args), StandardCharsets.UTF_8);
        assertThat(p.parse(in)).isEqualTo(RequestParser.Status.COMMAND);
        return CommandPolicy.judge(p.args(), true);
    }

    static CommandPolicy.Verdict inline(String line) {
        RequestParser p = new RequestParser();
        ByteBuf in = Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8);
        assertThat(p.parse(in)).isEqualTo(RequestParser.Status.COMMAND);
        return CommandPolicy.judge(p.args(), true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHUTDOWN", "shutdown NOSAVE", "DEBUG SLEEP 0", "REPLICAOF 127.0.0.1 1", "SLAVEOF no one", "FAILOVER",
        "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE", "MIGRATE 127.0.0.1 1 k 0 10", "SWAPDB 0 1", "ROLE", "ASKING", "READONLY",
        "READWRITE", "WAIT 1 0", "PFDEBUG GETREG h", "PFSELFTEST", "CLUSTER INFO", "RESTORE-ASKING k 0 x", "CONFIG REWRITE",
        "CONFIG RESETSTAT", "ACL SETUSER x on", "acl deluser x", "ACL LOAD", "ACL SAVE", "ACL LOG", "ACL GENPASS", "ACL LIST",
        "ACL GETUSER default", "CLIENT KILL TYPE normal", "CLIENT KILL 127.0.0.1:1", "CLIENT PAUSE 100", "CLIENT UNPAUSE",
        "CLIENT NO-EVICT on", "CLIENT GETREDIR", "MODULE LOAD /x.so", "MODULE UNLOAD x", "MODULE HELP", "MEMORY PURGE", "MEMORY STATS",
        "MEMORY DOCTOR", "MEMORY MALLOC-STATS", "LATENCY RESET", "LATENCY DOCTOR", "LATENCY LATEST", "SCRIPT DEBUG yes",
        "CONFIG SET dir /tmp", "CONFIG GET dir", "CONFIG GET *", "CONFIG SET maxmemory 1", "CONFIG SET slowlog-max-len 10 dir /tmp"})
    void administrationIsRefusedAndTheConnectionGoesOn(String command) {
        CommandPolicy.Verdict v = inline(command);
        assertThat(v.action()).isEqualTo(Action.REFUSE);
        assertThat(v.reply()).startsWith("-ERR ").endsWith("is not allowed on this endpoint\r\n");
        assertThat(v.reason()).isEqualTo(Refusal.COMMAND_REFUSED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SYNC", "PSYNC ? -1", "replconf listening-port 1", "\"PSYNC\" ? -1"})
    void replicationFromAClientIsRefusedAndClosedUnlessTheEndpointHasNoTls(String command) {
        CommandPolicy.Verdict v = inline(command);
        assertThat(v.action()).isEqualTo(Action.REFUSE_AND_CLOSE);
        assertThat(v.reply()).isEqualTo("-" + CommandPolicy.REPLICATION_REFUSED + "\r\n");
        RequestParser p = new RequestParser();
        assertThat(p.parse(Unpooled.copiedBuffer(command + "\r\n", StandardCharsets.UTF_8))).isEqualTo(RequestParser.Status.COMMAND);
        assertThat(CommandPolicy.judge(p.args(), true, true).action()).isEqualTo(Action.REPLICATE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET k", "SET k v", "MSET a 1 b 2", "CONFIG GET slowlog-max-len", "config set SLOWLOG-MAX-LEN 200",
        "CONFIG SET notify-keyspace-events KEA hash-max-listpack-entries 64", "CONFIG HELP", "ACL WHOAMI", "ACL CAT", "ACL USERS",
        "MEMORY USAGE k", "LATENCY HISTOGRAM", "SCRIPT FLUSH", "MODULE LIST", "FLUSHALL", "OBJECT ENCODING k", "COMMAND COUNT",
        "NOSUCHCOMMAND x", "CONFIG", "ACL NOSUCHSUB"})
    void dataCommandsAndWhatReAllowsGoToRedis(String command) {
        assertThat(inline(command).action()).isEqualTo(Action.SHARE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1", "MULTI", "EXEC", "WATCH k", "SUBSCRIBE c", "MONITOR", "BLPOP q 0", "XREAD BLOCK 0 STREAMS s $",
        "AUTH x", "HELLO 3", "RESET", "QUIT", "CLIENT SETNAME x", "CLIENT LIST", "CLIENT REPLY OFF", "CLIENT ID", "CLIENT"})
    void connectionStateAndBlockingCommandsGetAConnectionOfTheirOwn(String command) {
        assertThat(inline(command).action()).isEqualTo(Action.OWN);
    }

    @Test
    void theSuitesReservedKeysAndChannelsAreOutOfReach() {
        for (String[] c : new String[][] {{"SET", "__redissync:pos:x", "v"}, {"DEL", "a", "__redissync:pos:x"}, {"PUBLISH", "__redissync:applied", "x"},
            {"KEYS", "__redissync:*"}, {"SUBSCRIBE", "__redissync:applied"}, {"EVAL", "return 1", "1", "__redissync:pos:x"}}) {
            CommandPolicy.Verdict v = judge(c);
            assertThat(v.action()).as(String.join(" ", c)).isEqualTo(Action.REFUSE);
            assertThat(v.reason()).isEqualTo(Refusal.RESERVED_STATE);
        }
        assertThat(judge("SET", "__redissyn", "v").action()).isEqualTo(Action.SHARE);
    }

    @Test
    void aRefusalNamesTheCommandAndQuotesTheClientsTextSafely() {
        assertThat(inline("config get dir").reply()).isEqualTo("-ERR CONFIG GET of 'dir' is not allowed on this endpoint\r\n");
        assertThat(judge("CONFIG", "SET", "a\r\nb", "1").reply()).isEqualTo("-ERR CONFIG SET of 'a  b' is not allowed on this endpoint\r\n");
        assertThat(inline("client kill type normal").reply()).isEqualTo("-ERR command 'client|kill' is not allowed on this endpoint\r\n");
        assertThat(inline("SHUTDOWN").reply()).isEqualTo("-ERR command 'shutdown' is not allowed on this endpoint\r\n");
    }

    @Test
    void aLargeCommandJudgedByItsHeadIsRefusedWhenItsRuleNeedsTheRest() {
        RequestParser p = new RequestParser();
        ByteBuf in = Unpooled.copiedBuffer("*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$100000\r\n", StandardCharsets.US_ASCII);
        assertThat(p.parse(in)).isEqualTo(RequestParser.Status.NEED_MORE);
        assertThat(CommandPolicy.judge(p.args(), false).action()).isEqualTo(Action.REFUSE);
        RequestParser q = new RequestParser();
        ByteBuf set = Unpooled.copiedBuffer("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n", StandardCharsets.US_ASCII);
        assertThat(q.parse(set)).isEqualTo(RequestParser.Status.NEED_MORE);
        assertThat(CommandPolicy.judge(q.args(), false).action()).isEqualTo(Action.SHARE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 15", "MOVE k 15", "COPY a b DB 15", "copy a b REPLACE db 15"})
    void theReservedDatabaseDoesNotExistForClients(String command) {
        CommandPolicy.Verdict v = inline(command);
        assertThat(v.action()).isEqualTo(Action.REFUSE);
        assertThat(v.reply()).isEqualTo("-ERR DB index is out of range\r\n");
        assertThat(v.reason()).isEqualTo(Refusal.RESERVED_STATE);
        assertThat(inline(command.replace("15", "14")).refused()).isFalse();
    }

    @Test
    void aCopyWhoseDatabaseOptionHidesPastTheRecordedArgumentsIsRefused() {
        String replaces = " REPLACE".repeat(RequestParser.RECORDED);
        assertThat(inline("COPY a b" + replaces + " DB 15").reply()).isEqualTo("-ERR DB index is out of range\r\n");
    }
}
