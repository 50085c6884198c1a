package org.redissync.certclient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.redissync.events.CertRole;

/**
 * A service's own certificates and keys kept across restarts, in a directory only it can enter (0700; each key 0600,
 * written whole to a temporary file and moved into place). With them a restarted service renews over mutual TLS and
 * never needs its bootstrap token again, which may then be short-lived. A kept certificate is used only while it is
 * valid, chains to the suite CA the service trusts now (a new CA, and it is ignored) and names every name the service
 * is configured for now (new names, a new certificate). Keys are never logged,
 * published or sent: they stay on this disk and in this process.
 */
public final class CertificateStore {

    private final Path dir;

    public CertificateStore(Path dir) {
        this.dir = dir;
    }

    /**
     * The kept certificate of {@code role}, if there is one that is valid at {@code now}, chains to {@code caFile} and
     * names each of {@code names} (DNS names or IP addresses; none: no check).
     */
    public Optional<CertificateMaterial> load(CertRole role, Instant now, Path caFile, List<String> names) throws IOException {
        Path cert = dir.resolve(role.wire() + ".pem");
        Path key = dir.resolve(role.wire() + ".key");
        if (!Files.exists(cert) || !Files.exists(key)) {
            return Optional.empty();
        }
        CertificateMaterial m;
        try {
            m = new CertificateMaterial(CertificateRequester.privateKey(Files.readString(key)),
                    CertificateRequester.certificates(Files.readString(cert)));
        } catch (IOException | IllegalArgumentException unreadable) {
            return Optional.empty();
        }
        if (m.chain().isEmpty() || !now.isBefore(m.leaf().getNotAfter().toInstant()) || !chainsTo(m, caFile, now)
                || !names(m.leaf()).containsAll(canonical(names))) {
            return Optional.empty();
        }
        return Optional.of(m);
    }

    /** The DNS names (lower case) and IP addresses (canonical) a certificate carries. */
    private static Set<String> names(X509Certificate leaf) {
        Set<String> out = new HashSet<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(2).equals(san.get(0)) || Integer.valueOf(7).equals(san.get(0))) {
                        out.addAll(canonical(List.of(String.valueOf(san.get(1)))));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return Set.of();
        }
        return out;
    }

    private static Set<String> canonical(List<String> names) {
        Set<String> out = new HashSet<>();
        for (String n : names) {
            if (n.matches("[0-9.]+") || n.contains(":")) {
                try {
                    out.add(java.net.InetAddress.getByName(n).getHostAddress());
                    continue;
                } catch (java.net.UnknownHostException e) {
                    // not an address after all: compared as a name
                }
            }
            out.add(n.toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    /** Keeps {@code m} as {@code role}'s, replacing what was kept. */
    public void save(CertRole role, CertificateMaterial m) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        write(dir.resolve(role.wire() + ".key"), CertificateRequester.pem(m.key()));
        write(dir.resolve(role.wire() + ".pem"), CertificateRequester.pem(m.chain()));
    }

    private static void write(Path target, String text) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean chainsTo(CertificateMaterial m, Path caFile, Instant now) {
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate ca : CertificateRequester.certificates(Files.readString(caFile))) {
                anchors.add(new TrustAnchor(ca, null));
            }
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(
                    m.chain().stream().filter(c -> !anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c))).toList()), params);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
