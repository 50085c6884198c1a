package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;

class TlsHelloTest {

    /** The first flight of a JDK client limited to {@code protocols}: its ClientHello record. */
    private static ByteBuf helloOf(String... protocols) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine("127.0.0.1", 6379);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(protocols);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }

    /** A ClientHello without extensions (as TLS 1.0 clients send): the legacy version is the offer. */
    private static ByteBuf bareHello(int version) {
        return hello(version, Unpooled.EMPTY_BUFFER);
    }

    private static ByteBuf hello(int version, ByteBuf extensions) {
        ByteBuf body = Unpooled.buffer();
        body.writeShort(version);
        body.writeZero(32); // random
        body.writeByte(0); // session id
        body.writeShort(2).writeShort(0x002f); // one cipher suite
        body.writeByte(1).writeByte(0); // compression: null
        body.writeBytes(extensions);
        ByteBuf hs = Unpooled.buffer().writeByte(1).writeMedium(body.readableBytes()).writeBytes(body);
        return Unpooled.buffer().writeByte(0x16).writeShort(0x0301).writeShort(hs.readableBytes()).writeBytes(hs);
    }

    @Test
    void theHighestVersionIsReadFromSupportedVersions() throws Exception {
        assertThat(TlsHello.highestOffered(helloOf("TLSv1.3", "TLSv1.2"))).isEqualTo(0x0304);
        assertThat(TlsHello.highestOffered(helloOf("TLSv1.2"))).isEqualTo(0x0303);
    }

    @Test
    void withoutExtensionsTheLegacyVersionIsTheOffer() {
        assertThat(TlsHello.highestOffered(bareHello(0x0301))).isEqualTo(0x0301);
        assertThat(TlsHello.highestOffered(bareHello(0x0302))).isEqualTo(0x0302);
    }

    @Test
    void readingConsumesNothing() throws Exception {
        ByteBuf hello = helloOf("TLSv1.3");
        int before = hello.readableBytes();
        TlsHello.highestOffered(hello);
        assertThat(hello.readableBytes()).isEqualTo(before);
    }

    @Test
    void aTruncatedOrForeignFirstFlightIsUnknownNeverAnError() throws Exception {
        ByteBuf hello = helloOf("TLSv1.3", "TLSv1.2");
        for (int n = 0; n < hello.readableBytes(); n++) {
            int v = TlsHello.highestOffered(hello.slice(0, n));
            assertThat(v).as("first %d bytes", n).isIn(TlsHello.UNKNOWN, 0x0303, 0x0304);
        }
        assertThat(TlsHello.highestOffered(Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n", java.nio.charset.StandardCharsets.US_ASCII)))
                .isEqualTo(TlsHello.UNKNOWN);
        // a record claiming more extensions than it holds
        assertThat(TlsHello.highestOffered(hello(0x0303, Unpooled.buffer().writeShort(0xffff)))).isEqualTo(TlsHello.UNKNOWN);
        // an extension longer than the extensions
        assertThat(TlsHello.highestOffered(hello(0x0303, Unpooled.buffer().writeShort(6).writeShort(0x002b).writeShort(40).writeShort(0))))
                .isEqualTo(TlsHello.UNKNOWN);
        // supported_versions offering only GREASE: the legacy field stands
        assertThat(TlsHello.highestOffered(hello(0x0303, Unpooled.buffer().writeShort(7).writeShort(0x002b).writeShort(3).writeByte(2)
                .writeShort(0x1a1a)))).isEqualTo(0x0303);
    }

    @Test
    void anSsl2StyleHelloIsOlderThanAnything() {
        assertThat(TlsHello.highestOffered(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0x2e, 0x01, 0x00, 0x02}))).isEqualTo(TlsHello.SSL2);
    }

    @Test
    void protocolNames() {
        assertThat(TlsHello.version("TLSv1.2")).isEqualTo(0x0303);
        assertThat(TlsHello.version("SSLv3")).isEqualTo(TlsHello.UNKNOWN);
    }
}
