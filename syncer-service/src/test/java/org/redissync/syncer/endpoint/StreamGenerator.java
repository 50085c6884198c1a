package org.redissync.syncer.endpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded request streams for differential tests: deterministic commands (on keys of the stream's own), written as
 * multibulk or inline (with Redis's quoting), then mutated byte by byte: flips to the bytes the parser cares about,
 * insertions, deletions, truncation, an occasional oversized line.
 */
final class StreamGenerator {

    private static final List<String[]> COMMANDS = List.of(
            new String[] {"PING"}, new String[] {"PING", "hello world"}, new String[] {"ECHO", "x\r\ny"},
            new String[] {"SET", "@a", "v 1"}, new String[] {"GET", "@a"}, new String[] {"INCR", "@n"}, new String[] {"DEL", "@a", "@b"},
            new String[] {"EXISTS", "@a"}, new String[] {"APPEND", "@a", "\"q'"}, new String[] {"STRLEN", "@a"},
            new String[] {"MSET", "@a", "1", "@b", "2"}, new String[] {"MGET", "@a", "@b", "@c"}, new String[] {"LPUSH", "@l", "a", "b"},
            new String[] {"LRANGE", "@l", "0", "-1"}, new String[] {"HSET", "@h", "f", "v"}, new String[] {"HGETALL", "@h"},
            new String[] {"SADD", "@s", "x"}, new String[] {"SMEMBERS", "@s"}, new String[] {"TYPE", "@l"}, new String[] {"NOSUCH", "x", "y"},
            new String[] {"GET"}, new String[] {"SET", "@a"}, new String[] {"INCRBY", "@n", "notanumber"}, new String[] {"SELECT", "1"},
            new String[] {"SELECT", "0"}, new String[] {"MULTI"}, new String[] {"EXEC"}, new String[] {"DISCARD"},
            new String[] {"SUBSCRIBE", "@ch"}, new String[] {"UNSUBSCRIBE"}, new String[] {"PUBLISH", "@ch", "m"}, new String[] {"CLIENT", "GETNAME"},
            new String[] {"EVAL", "return redis.call('get', KEYS[1])", "1", "@a"}, new String[] {"GETRANGE", "@a", "0", "-1"},
            new String[] {"WATCH", "@a"}, new String[] {"UNWATCH"}, new String[] {"RPOP", "@l"}, new String[] {"ZADD", "@z", "1", "m"},
            new String[] {"QUIT"});

    private static final byte[] SPECIAL = "\r\n\0*$-+09 \"'\\x".getBytes(StandardCharsets.ISO_8859_1);
    private static final Pattern PREFIX = Pattern.compile("k\\d+-[a-z]{2}:");

    private StreamGenerator() {
    }

    /** The key prefix of stream {@code n}: a mutation of one byte never turns it into another stream's. */
    static String prefix(int n) {
        int h = Math.floorMod(n * 7919 + 13, 676);
        return "k" + n + "-" + (char) ('a' + h / 26) + (char) ('a' + h % 26) + ":";
    }

    static byte[] stream(Random r, int n) {
        while (true) {
            byte[] s = candidate(r, prefix(n));
            Matcher m = PREFIX.matcher(new String(s, StandardCharsets.ISO_8859_1));
            boolean own = true;
            while (m.find()) {
                own &= m.group().equals(prefix(n));
            }
            if (own) {
                return s;
            }
        }
    }

    private static byte[] candidate(Random r, String prefix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int commands = 1 + r.nextInt(8);
        for (int i = 0; i < commands; i++) {
            String[] c = COMMANDS.get(r.nextInt(COMMANDS.size()));
            String[] args = new String[c.length];
            for (int j = 0; j < c.length; j++) {
                args[j] = c[j].replace("@", prefix);
            }
            byte[] b = r.nextInt(4) == 0 ? inline(r, args) : multibulk(args);
            out.write(b, 0, b.length);
            if (r.nextInt(10) == 0) {
                out.write('\r');
                out.write('\n');
            }
        }
        byte[] s = out.toByteArray();
        int mutations = r.nextInt(3);
        for (int i = 0; i < mutations && s.length > 0; i++) {
            s = mutate(r, s);
        }
        if (r.nextInt(100) == 0) {
            byte[] big = new byte[s.length + 70_000];
            System.arraycopy(s, 0, big, 0, s.length);
            java.util.Arrays.fill(big, s.length, big.length, (byte) (r.nextBoolean() ? 'a' : '1'));
            s = big;
        }
        return s;
    }

    private static byte[] mutate(Random r, byte[] s) {
        int at = r.nextInt(s.length);
        return switch (r.nextInt(5)) {
            case 0, 1 -> {
                byte[] t = s.clone();
                t[at] = SPECIAL[r.nextInt(SPECIAL.length)];
                yield t;
            }
            case 2 -> {
                byte[] t = new byte[s.length + 1];
                System.arraycopy(s, 0, t, 0, at);
                t[at] = SPECIAL[r.nextInt(SPECIAL.length)];
                System.arraycopy(s, at, t, at + 1, s.length - at);
                yield t;
            }
            case 3 -> {
                byte[] t = new byte[s.length - 1];
                System.arraycopy(s, 0, t, 0, at);
                System.arraycopy(s, at + 1, t, at, s.length - at - 1);
                yield t;
            }
            default -> java.util.Arrays.copyOf(s, at);
        };
    }

    static byte[] multibulk(String... args) {
        StringBuilder b = new StringBuilder("*" + args.length + "\r\n");
        for (String a : args) {
            b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An inline request: arguments quoted the way redis-cli would, or left bare when they can be. */
    static byte[] inline(Random r, String... args) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            b.append(i == 0 ? "" : r.nextBoolean() ? " " : "  ");
            boolean bare = !a.isEmpty() && a.chars().noneMatch(ch -> ch <= ' ' || ch == '"' || ch == '\'' || ch == '\\');
            if (bare && r.nextBoolean()) {
                b.append(a);
            } else if (r.nextBoolean() && a.indexOf('\'') < 0) {
                b.append('\'').append(a).append('\'');
            } else {
                b.append('"');
                for (char ch : a.toCharArray()) {
                    switch (ch) {
                        case '"', '\\' -> b.append('\\').append(ch);
                        case '\r' -> b.append("\\r");
                        case '\n' -> b.append("\\n");
                        default -> {
                            if (ch < ' ') {
                                b.append(String.format("\\x%02x", (int) ch));
                            } else {
                                b.append(ch);
                            }
                        }
                    }
                }
                b.append('"');
            }
        }
        b.append(r.nextBoolean() ? "\r\n" : "\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
