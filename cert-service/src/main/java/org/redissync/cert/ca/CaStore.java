package org.redissync.cert.ca;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.jboss.logging.Logger;

/**
 * Where the CA lives between restarts. Either PEM files ({@code ca.pem} + {@code ca.key}, mode 0600)
 * or, when a password is configured, a PKCS#12 keystore ({@code ca.p12}). Created once, on the first
 * start; reused on every start after; never regenerated silently: half a CA on disk stops the start.
 */
public final class CaStore {

    private static final Logger LOG = Logger.getLogger(CaStore.class);
    private static final String ALIAS = "ca";

    private CaStore() {
    }

    /** Loads the CA kept in {@code dir}, or creates and keeps a new root CA when the folder holds none. */
    public static CaMaterial loadOrCreate(Path dir, Optional<char[]> password, KeyAlgorithm algorithm, X500Principal subject,
            Duration validity, Clock clock) {
        Path pem = dir.resolve("ca.pem");
        Path key = dir.resolve("ca.key");
        Path p12 = dir.resolve("ca.p12");
        boolean anyPem = Files.exists(pem) || Files.exists(key);
        if (password.isPresent()) {
            if (Files.exists(p12)) {
                return loadKeystore(p12, password.get());
            }
            if (anyPem) {
                throw new IllegalStateException("a CA password is configured but the CA in " + dir + " is kept as PEM files; "
                        + "remove the password setting (or convert the CA) instead of creating a new one");
            }
        } else {
            if (Files.exists(p12)) {
                throw new IllegalStateException("the CA in " + dir + " is a PKCS#12 keystore: configure its password "
                        + "(redissync.ca.keystore-password)");
            }
            if (Files.exists(pem) && Files.exists(key)) {
                return loadPem(pem, key);
            }
            if (anyPem) {
                throw new IllegalStateException("the CA in " + dir + " is incomplete (" + (Files.exists(pem) ? "ca.key" : "ca.pem")
                        + " is missing); restore it, or remove the folder to create a new CA (every certificate it issued "
                        + "then stops being trusted)");
            }
        }
        CaMaterial created = CertificateAuthority.createRoot(algorithm, subject, validity, clock);
        try {
            Files.createDirectories(dir);
            if (password.isPresent()) {
                writeKeystore(p12, created, password.get());
            } else {
                writeSecret(key, Pem.writePrivateKey(created.key()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                Files.writeString(pem, Pem.write(created.chain()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the new CA in " + dir, e);
        }
        LOG.infof("created a new root CA %s (%s, SHA-256 fingerprint %s) in %s", subject.getName(), algorithm,
                Pem.fingerprint(created.certificate()), dir);
        return created;
    }

    /** An operator-supplied (intermediate) CA: its certificate (+ parents) and key from files. */
    public static CaMaterial loadOperatorCa(Path certificateFile, Path keyFile) {
        CaMaterial m = loadPem(certificateFile, keyFile);
        if (m.certificate().getBasicConstraints() < 0) {
            throw new IllegalStateException(certificateFile + " is not a CA certificate (basicConstraints CA:false)");
        }
        return m;
    }

    private static CaMaterial loadPem(Path certFile, Path keyFile) {
        try {
            List<X509Certificate> chain = Pem.certificates(Files.readString(certFile));
            PrivateKey key = Pem.privateKey(Files.readString(keyFile));
            if (!Keys.matches(key, chain.get(0).getPublicKey())) {
                throw new IllegalStateException("the CA key " + keyFile + " does not belong to the certificate " + certFile);
            }
            return new CaMaterial(chain.get(0), key, chain.subList(1, chain.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA from " + certFile + " and " + keyFile, e);
        }
    }

    private static CaMaterial loadKeystore(Path p12, char[] password) {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            PrivateKey key = (PrivateKey) ks.getKey(ALIAS, password);
            Certificate[] chain = ks.getCertificateChain(ALIAS);
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : chain) {
                certs.add((X509Certificate) c);
            }
            return new CaMaterial(certs.get(0), key, certs.subList(1, certs.size()));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot open the CA keystore " + p12 + " (wrong password?)", e);
        }
    }

    private static void writeKeystore(Path p12, CaMaterial m, char[] password) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, m.key(), password, m.chain().toArray(Certificate[]::new));
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            ks.store(buf, password);
            writeSecret(p12, buf.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** Writes a file readable by its owner only (0600), atomically. */
    public static void writeSecret(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".secret", ".tmp",
                PosixFilePermissions.asFileAttribute(owner));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(content);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
