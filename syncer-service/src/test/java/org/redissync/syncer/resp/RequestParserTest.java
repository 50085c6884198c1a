package org.redissync.syncer.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.redissync.syncer.resp.RequestParser.Status;

/** The parser against the rules of Redis 7.0's networking.c, fed whole and in every split. */
class RequestParserTest {

    /** What a stream parses to: one line per request ("CMD a|b|c", "EMPTY", "ERROR text"), and "MORE" if it ends mid-request. */
    static List<String> parseAll(byte[] bytes, int[] cuts, boolean direct) {
        ByteBuf in = direct ? Unpooled.directBuffer(bytes.length + 1) : Unpooled.buffer(bytes.length + 1);
        try {
            return parseInto(in, bytes, cuts);
        } finally {
            in.release();
        }
    }

    private static List<String> parseInto(ByteBuf in, byte[] bytes, int[] cuts) {
        List<String> out = new ArrayList<>();
        RequestParser p = new RequestParser();
        int fed = 0;
        int cut = 0;
        while (true) {
            int next = cut < cuts.length ? Math.min(cuts[cut++], bytes.length) : bytes.length;
            if (next > fed) {
                in.writeBytes(bytes, fed, next - fed);
                fed = next;
            }
            boolean more = true;
            while (more) {
                Status s = p.parse(in);
                switch (s) {
                    case COMMAND -> {
                        StringBuilder b = new StringBuilder("CMD ");
                        for (int i = 0; i < p.args().count(); i++) {
                            b.append(i == 0 ? "" : "|").append(p.args().string(i));
                        }
                        if (p.args().reserved()) {
                            b.append(" RESERVED");
                        }
                        out.add(b.toString());
                        in.skipBytes(p.length());
                    }
                    case EMPTY -> {
                        out.add("EMPTY");
                        in.skipBytes(p.length());
                    }
                    case ERROR -> {
                        out.add("ERROR " + p.error());
                        return out;
                    }
                    case NEED_MORE -> more = false;
                    default -> throw new IllegalStateException();
                }
            }
            if (fed == bytes.length) {
                if (p.midRequest() || in.isReadable()) {
                    out.add("MORE");
                }
                return out;
            }
        }
    }

    static List<String> parse(String s) {
        return parseAll(s.getBytes(StandardCharsets.ISO_8859_1), new int[0], false);
    }

    /** Fed whole, one byte at a time, and at every single split: always the same outcome. */
    static List<String> parseEveryWay(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        List<String> whole = parseAll(b, new int[0], false);
        int[] bytewise = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            bytewise[i] = i + 1;
        }
        assertThat(parseAll(b, bytewise, true)).as("byte by byte: %s", s).isEqualTo(whole);
        for (int i = 1; i < b.length; i++) {
            assertThat(parseAll(b, new int[] {i}, i % 2 == 0)).as("split at %d: %s", i, s).isEqualTo(whole);
        }
        return whole;
    }

    @Test
    void aMultibulkCommandIsParsedInPlace() {
        assertThat(parseEveryWay("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"))
                .containsExactly("CMD PING", "CMD SET|k|");
    }

    @Test
    void theSixtyByteRequestThatStoppedAClusterIsAnInvalidBulkLength() {
        assertThat(parseEveryWay("*2\r\n$3\r\nGET\r\n$18446744073709551578\r\n*1\r\n$4\r\nPING\r\n"))
                .containsExactly("ERROR Protocol error: invalid bulk length");
    }

    @ParameterizedTest
    @ValueSource(strings = {"$04", "$+4", "$-1", "$-0", "$4 ", "$ 4", "$", "$99999999999999999999", "$536870913", "$0x4"})
    void bulkLengthsRedisRefusesAreRefused(String header) {
        assertThat(parseEveryWay("*1\r\n" + header + "\r\nPING\r\n")).containsExactly("ERROR Protocol error: invalid bulk length");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*01", "*+1", "*-0", "*1 ", "*", "*3000000000", "*2147483648", "*9223372036854775808", "*1a"})
    void multibulkLengthsRedisRefusesAreRefused(String header) {
        assertThat(parseEveryWay(header + "\r\n$4\r\nPING\r\n")).containsExactly("ERROR Protocol error: invalid multibulk length");
    }

    @Test
    void theLargestLengthsRedisTakesAreTaken() {
        assertThat(parse("*2147483647\r\n")).containsExactly("MORE");
        assertThat(parse("*1\r\n$536870912\r\n")).containsExactly("MORE");
        assertThat(parse("*-9223372036854775808\r\n")).containsExactly("EMPTY");
        assertThat(parse("*-9223372036854775809\r\n")).containsExactly("ERROR Protocol error: invalid multibulk length");
    }

    @Test
    void emptyRequestsGetNoReply() {
        assertThat(parseEveryWay("\r\n*0\r\n*-10\r\n\n   \r\n*1\r\n$4\r\nPING\r\n")).containsExactly("EMPTY", "EMPTY", "EMPTY", "EMPTY", "EMPTY", "CMD PING");
    }

    @Test
    void aBulkHeaderThatIsNotDollarNamesTheByte() {
        assertThat(parseEveryWay("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n")).containsExactly("ERROR Protocol error: expected '$', got 'f'");
        assertThat(parseEveryWay("*1\r\nfoo\r\n")).containsExactly("ERROR Protocol error: expected '$', got 'f'");
        assertThat(parse("*1\r\n\r\r\n")).containsExactly("ERROR Protocol error: expected '$', got ' '");
    }

    @Test
    void theBytesAfterALineEndsCarriageReturnAndAfterAnArgumentAreNotLookedAt() {
        assertThat(parseEveryWay("*1\rX$4\rYPINGxx*1\r\n$4\r\nPING\r\n")).containsExactly("CMD PING", "CMD PING");
    }

    @Test
    void aNulByteHidesTheLineEndUntilSixtyFourKilobytesThenErrs() {
        String payload = "payload".repeat(10_000);
        assertThat(parse("\u0000" + payload)).containsExactly("ERROR Protocol error: too big inline request");
        assertThat(parse("*\u0000" + payload)).containsExactly("ERROR Protocol error: too big mbulk count string");
        assertThat(parse("$\u0000" + payload)).containsExactly("ERROR Protocol error: too big inline request");
        assertThat(parse("*1\r\n$\u0000" + payload)).containsExactly("ERROR Protocol error: too big bulk count string");
        assertThat(parse("\u0000payload\r\n")).containsExactly("MORE");
        assertThat(parse("*1\u0000\r\n$4\r\nPING\r\n")).containsExactly("MORE");
    }

    @Test
    void unterminatedLinesErrOnlyPastSixtyFourKilobytes() {
        String a = "a".repeat(RequestParser.INLINE_MAX);
        assertThat(parse(a)).containsExactly("MORE");
        assertThat(parse(a + "b")).containsExactly("ERROR Protocol error: too big inline request");
        assertThat(parse("*" + "1".repeat(RequestParser.INLINE_MAX))).containsExactly("ERROR Protocol error: too big mbulk count string");
        assertThat(parse("*1\r\n$" + "1".repeat(RequestParser.INLINE_MAX))).containsExactly("ERROR Protocol error: too big bulk count string");
        // a long line that is terminated is fine, as in Redis when it arrives at once
        assertThat(parse("SET k " + "v".repeat(100_000) + "\r\n")).hasSize(1).first().asString().startsWith("CMD SET|k|vvv");
    }

    @Test
    void inlineCommandsAreSplitWithRedisQuoting() {
        assertThat(parseEveryWay("set \"a b\" 'c\\'d' \"\\x41\\n\\q\"\r\n")).containsExactly("CMD set|a b|c'd|A\nq");
        assertThat(parseEveryWay("a\"b c\"d\n")).containsExactly("ERROR Protocol error: unbalanced quotes in request");
        assertThat(parseEveryWay("a\"b c\" d\n")).containsExactly("CMD ab c|d");
        assertThat(parseEveryWay("x\u000by\f z\n")).containsExactly("CMD x\u000by\f|z");
        assertThat(parseEveryWay("\"\\x4g\"\n")).containsExactly("CMD x4g");
        assertThat(parseEveryWay("'abc\n")).containsExactly("ERROR Protocol error: unbalanced quotes in request");
        assertThat(parseEveryWay("\"abc\\\"\n")).containsExactly("ERROR Protocol error: unbalanced quotes in request");
        assertThat(parseEveryWay("set \"\"\"test-key\"\"\" test-value\r\nping\r\n")).containsExactly("ERROR Protocol error: unbalanced quotes in request");
        assertThat(parseEveryWay("a\rb\r\n")).containsExactly("CMD a|b");
    }

    @Test
    void aQuotedCommandNameIsTheNameWithoutQuotes() {
        assertThat(parseEveryWay("\"PSYNC\" ? -1\r\n")).containsExactly("CMD PSYNC|?|-1");
    }

    @Test
    void argumentsStartingWithTheReservedPrefixAreFlagged() {
        assertThat(parseEveryWay("*2\r\n$3\r\nDEL\r\n$20\r\n__redissync:pos:abcd\r\n")).containsExactly("CMD DEL|__redissync:pos:abcd RESERVED");
        assertThat(parseEveryWay("PUBLISH __redissync:applied x\n")).containsExactly("CMD PUBLISH|__redissync:applied|x RESERVED");
        assertThat(parseEveryWay("*2\r\n$3\r\nGET\r\n$11\r\n__redissync\r\n")).containsExactly("CMD GET|__redissync");
    }

    @Test
    void aLargeArgumentIsPassedOnAsItArrivesOnceItsFirstBytesAreJudged() {
        RequestParser p = new RequestParser();
        ByteBuf in = Unpooled.buffer();
        in.writeBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(p.parse(in)).isEqualTo(Status.NEED_MORE);
        assertThat(p.args().count()).isEqualTo(2);
        assertThat(p.args().is(0, "SET")).isTrue();
        int headers = in.readableBytes();
        assertThat(p.forwardable(in)).as("up to the body, whose first bytes are not here").isEqualTo(headers);
        in.writeBytes(new byte[40_000]);
        assertThat(p.parse(in)).isEqualTo(Status.NEED_MORE);
        assertThat(p.forwardable(in)).isEqualTo(in.readableBytes());
        int n = in.readableBytes();
        in.skipBytes(n);
        in.discardReadBytes();
        p.consumed(n);
        assertThat(p.args().readable(0)).isFalse();
        in.writeBytes(new byte[60_000]);
        in.writeBytes("\r\n*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(p.parse(in)).isEqualTo(Status.COMMAND);
        assertThat(p.args().count()).isEqualTo(3);
        assertThat(p.length()).isEqualTo(60_002);
        in.skipBytes(p.length());
        assertThat(p.parse(in)).isEqualTo(Status.COMMAND);
        assertThat(p.args().is(0, "PING")).isTrue();
    }

    @Test
    void wholeArgumentsOfARequestStillArrivingMayBePassedOnEvenBetweenArguments() {
        RequestParser p = new RequestParser();
        ByteBuf in = Unpooled.buffer();
        in.writeBytes("*200001\r\n$4\r\nMSET\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 10_000; i++) {
            in.writeBytes("$1\r\nk\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(p.parse(in)).isEqualTo(Status.NEED_MORE);
        assertThat(p.forwardable(in)).as("the bytes end on an argument boundary: all of them").isEqualTo(in.readableBytes());
    }

    @Test
    void aStreamedArgumentWithTheReservedPrefixIsFlaggedBeforeItsBytesArePassedOn() {
        RequestParser p = new RequestParser();
        ByteBuf in = Unpooled.buffer();
        in.writeBytes("*2\r\n$3\r\nGET\r\n$100000\r\n__redis".getBytes(StandardCharsets.US_ASCII));
        assertThat(p.parse(in)).isEqualTo(Status.NEED_MORE);
        int upToBody = in.readableBytes() - "__redis".length();
        assertThat(p.forwardable(in)).isEqualTo(upToBody);
        in.writeBytes("sync:xyz".getBytes(StandardCharsets.US_ASCII));
        assertThat(p.forwardable(in)).isEqualTo(in.readableBytes());
        assertThat(p.args().reserved()).isTrue();
    }

    /** Random and mutated streams: the outcome never depends on how the bytes were split. */
    @Test
    void randomStreamsParseTheSameHoweverTheyAreSplit() {
        Random r = new Random(17);
        String[] pieces = {"*", "$", "\r\n", "\r", "\n", "0", "1", "2", "3", "-", "+", "PING", "SET", "\"", "'", "\\", "x", " ", "\u0000",
            "*1\r\n$4\r\nPING\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "GET k\r\n", "$3\r\n", "*3\r\n", "\\x41"};
        for (int round = 0; round < 3000; round++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + r.nextInt(30);
            for (int i = 0; i < n; i++) {
                b.append(pieces[r.nextInt(pieces.length)]);
            }
            byte[] bytes = b.toString().getBytes(StandardCharsets.ISO_8859_1);
            List<String> whole = parseAll(bytes, new int[0], false);
            int[] cuts = r.ints(1 + r.nextInt(5), 0, bytes.length + 1).sorted().toArray();
            assertThat(parseAll(bytes, cuts, r.nextBoolean())).as("round %d: %s", round, b).isEqualTo(whole);
        }
    }
}
