package org.redissync.syncer.channel;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.security.auth.x500.X500Principal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;

import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.redissync.certclient.CertificateMaterial;

/**
 * Runs complete TLS handshakes in memory before a channel needs one: a channel's client side is the
 * JVM's own TLS (JSSE, through redis-replicator's blocking sockets), and a handshake that runs rarely
 * runs interpreted — measured at 30–420 ms per channel rebuild under the contention of an encryption
 * switch, against a few ms once compiled. The client is built exactly as a channel's
 * ({@link ChannelTls}: syncer key manager, source trust manager, parameters), the server is a
 * BoringSSL engine requiring a client certificate, as the endpoints are. Throwaway EC P-256 keys made
 * here, never written anywhere.
 */
final class TlsWarmUp {

    private TlsWarmUp() {
    }

    /** Runs {@code handshakes} handshakes, the client from {@code provider} (null: the JDK's); returns how long the last one took. */
    static Duration run(int handshakes, java.security.Provider provider) throws Exception {
        KeyPair serverKeys = ec();
        KeyPair clientKeys = ec();
        X509Certificate serverCert = selfSigned(serverKeys, "CN=warm-up proxy");
        X509Certificate clientCert = selfSigned(clientKeys, "CN=warm-up syncer");
        SslContext server = SslContextBuilder.forServer(serverKeys.getPrivate(), serverCert)
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2").clientAuth(ClientAuth.REQUIRE).trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        CertificateMaterial identity = new CertificateMaterial(clientKeys.getPrivate(), List.of(clientCert));
        // both ways a channel accepts a suite source: its published proxy certificate, or CA chain + cluster URN + host
        SSLContext published = ChannelTls.context(identity, new ChannelTls.Trust(List.of(serverCert), null, "warm-up", List.of(serverCert), "localhost"), provider);
        SSLContext chained = ChannelTls.context(identity, new ChannelTls.Trust(List.of(serverCert), null, "warm-up", List.of(), "localhost"), provider);
        long last = 0;
        for (int i = 0; i < handshakes; i++) {
            long t0 = System.nanoTime();
            handshake(i % 2 == 0 ? published : chained, server);
            last = System.nanoTime() - t0;
        }
        return Duration.ofNanos(last);
    }

    private static void handshake(SSLContext clientContext, SslContext serverContext) throws SSLException {
        SSLEngine c = clientContext.createSSLEngine("localhost", 6379);
        c.setUseClientMode(true);
        c.setSSLParameters(ChannelTls.parameters(clientContext, null, org.redissync.events.SuiteSettingsEvent.DataTlsSettings.defaults()));
        SSLEngine s = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        try {
            int size = Math.max(c.getSession().getPacketBufferSize(), s.getSession().getPacketBufferSize());
            ByteBuffer toServer = ByteBuffer.allocate(size * 4);
            ByteBuffer toClient = ByteBuffer.allocate(size * 4);
            ByteBuffer app = ByteBuffer.allocate(Math.max(c.getSession().getApplicationBufferSize(), s.getSession().getApplicationBufferSize()) * 2);
            ByteBuffer empty = ByteBuffer.allocate(0);
            c.beginHandshake();
            s.beginHandshake();
            for (int step = 0; step < 100 && (busy(c) || busy(s)); step++) {
                c.wrap(empty, toServer);
                runTasks(c);
                toServer.flip();
                s.unwrap(toServer, app.clear());
                toServer.compact();
                runTasks(s);
                s.wrap(empty, toClient);
                runTasks(s);
                toClient.flip();
                c.unwrap(toClient, app.clear());
                toClient.compact();
                runTasks(c);
            }
            if (busy(c) || busy(s)) {
                throw new SSLException("warm-up handshake did not complete");
            }
        } finally {
            ReferenceCountUtil.release(s);
        }
    }

    private static boolean busy(SSLEngine e) {
        HandshakeStatus h = e.getHandshakeStatus();
        return h != HandshakeStatus.NOT_HANDSHAKING && h != HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine e) {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair keys, String subject) throws Exception {
        X500Principal name = new X500Principal(subject);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.uniformResourceIdentifier, ChannelTls.CLUSTER_URN_PREFIX + "warm-up:proxy")}));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }
}
