package org.redissync.syncer.endpoint;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * Finds the name of every command in a client's byte stream (RESP multibulk or inline), across
 * buffer boundaries, without copying payloads: bulk arguments are skipped by their length. Used to
 * keep replication commands ({@code SYNC}, {@code PSYNC}, {@code REPLCONF}) away from connections
 * that are not trusted syncers.
 */
final class RespCommandScanner {

    /**
     * Called for every command with its name as sent (any case; a view valid only during the call,
     * so the hot path allocates nothing per command); answers whether it may pass.
     */
    @FunctionalInterface
    interface Gate {
        boolean allow(CharSequence command);
    }

    private enum State { START, ARRAY_HEADER, BULK_HEADER, BULK_BODY, INLINE }

    private static final int MAX_NAME = 64;

    private State state = State.START;
    private long number;
    private long argsLeft;
    private long bulkLeft;
    private boolean firstArg;
    private final StringBuilder name = new StringBuilder();
    private boolean inlineNameDone;

    /**
     * Scans {@code buf}; returns -1 when every command passed, else the offset in {@code buf} where
     * the first refused command starts (or 0 when it started in an earlier buffer).
     */
    int scan(Buffer buf, Gate gate) {
        return scan(buf.getByteBuf(), gate);
    }

    /** As {@link #scan(Buffer, Gate)}, on the readable bytes of a Netty buffer (offsets relative to its reader index). */
    int scan(ByteBuf bytes, Gate gate) {
        int base = bytes.readerIndex();
        ByteBuf buf = bytes;
        int commandStart = 0;
        int len = bytes.readableBytes();
        int i = 0;
        while (i < len) {
            byte b = buf.getByte(base + i);
            switch (state) {
                case START -> {
                    commandStart = i;
                    if (b == '*') {
                        state = State.ARRAY_HEADER;
                        number = 0;
                    } else if (b == '\r' || b == '\n') {
                        // stray line ends between commands
                    } else {
                        state = State.INLINE;
                        name.setLength(0);
                        inlineNameDone = false;
                        continue; // re-read this byte as part of the inline command
                    }
                    i++;
                }
                case ARRAY_HEADER -> {
                    if (b >= '0' && b <= '9') {
                        number = number * 10 + (b - '0');
                    } else if (b == '\n') {
                        argsLeft = number;
                        firstArg = true;
                        name.setLength(0);
                        state = argsLeft > 0 ? State.BULK_HEADER : State.START;
                    }
                    i++;
                }
                case BULK_HEADER -> {
                    if (b == '$') {
                        number = 0;
                    } else if (b >= '0' && b <= '9') {
                        number = number * 10 + (b - '0');
                    } else if (b == '\n') {
                        bulkLeft = number + 2; // payload and its CRLF
                        state = State.BULK_BODY;
                    }
                    i++;
                }
                case BULK_BODY -> {
                    if (firstArg) {
                        if (bulkLeft > 2 && name.length() < MAX_NAME) {
                            name.append((char) (b & 0xff));
                        }
                        bulkLeft--;
                        i++;
                    } else {
                        long skip = Math.min(bulkLeft, len - i);
                        bulkLeft -= skip;
                        i += (int) skip;
                    }
                    if (bulkLeft == 0) {
                        if (firstArg) {
                            firstArg = false;
                            if (!gate.allow(name)) {
                                return commandStart;
                            }
                        }
                        argsLeft--;
                        state = argsLeft > 0 ? State.BULK_HEADER : State.START;
                    }
                }
                case INLINE -> {
                    if (b == '\n') {
                        if (!inlineNameDone && !gate.allow(name)) {
                            return commandStart;
                        }
                        state = State.START;
                    } else if (!inlineNameDone) {
                        if ((b == ' ' || b == '\t' || b == '\r') && name.length() > 0) {
                            inlineNameDone = true;
                            if (!gate.allow(name)) {
                                return commandStart;
                            }
                        } else if (b != ' ' && b != '\t' && b != '\r' && name.length() < MAX_NAME) {
                            name.append((char) (b & 0xff));
                        }
                    }
                    i++;
                }
                default -> throw new IllegalStateException();
            }
        }
        return -1;
    }
}
