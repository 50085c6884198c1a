package org.redissync.syncer.endpoint;

import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import org.redissync.events.BdbConfigEvent.AuthorizedSubject;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.SubjectValidation;
import org.redissync.identity.PemCertificates;

/**
 * Who may connect to an endpoint, by the certificate a client presents (the seed's rules).
 * {@code authentication_ssl_client_certs} entries that are leaves are pinned: an exact match, then
 * only expiry and weak-hash checks. Entries that are CA chains without a leaf trust what they
 * signed, and only then does {@code client_cert_subject_validation_type} apply. Syncer
 * certificates of participating clusters ({@code authentication_ssl_crdt_certs}) are recognised
 * as syncers. Replication is allowed to those, and to the holder of a certificate pasted (as a leaf, not a CA) into
 * {@code authentication_ssl_client_certs}, as RE's manual Replica Of asks. Pure and immutable: built per generation.
 */
public final class ClientCertificatePolicy {

    /**
     * The judgement of one peer chain.
     *
     * @param syncer     a peer cluster's syncer certificate ({@code authentication_ssl_crdt_certs}): its bytes pass
     *                   unparsed from the first, and it may replicate
     * @param replicator a certificate pasted into the bdb's {@code authentication_ssl_client_certs} (RE's manual Replica
     *                   Of: the destination's syncer certificate copied to the source): a client whose commands are
     *                   judged as any other's, and who may also replicate
     */
    public record Verdict(boolean accepted, boolean syncer, boolean replicator, Refusal refusal, String subject) {
        Verdict(boolean accepted, boolean syncer, Refusal refusal, String subject) {
            this(accepted, syncer, syncer, refusal, subject);
        }

        static Verdict refuse(Refusal r, String subject) {
            return new Verdict(false, false, r, subject);
        }
    }

    private final Set<String> pinnedClients = new HashSet<>();
    private final List<X509Certificate> clientAnchors = new ArrayList<>();
    private final Set<String> pinnedSyncers = new HashSet<>();
    private final boolean enforce;
    private final SubjectValidation validation;
    private final List<AuthorizedSubject> subjects;
    private final boolean allowOutdated;
    private final boolean allowWeak;

    public ClientCertificatePolicy(Tls tls) {
        this.enforce = tls.enforceClientAuthentication();
        this.validation = tls.subjectValidation();
        this.subjects = tls.authorizedSubjects();
        this.allowOutdated = tls.allowOutdatedCerts();
        this.allowWeak = tls.allowWeakHashing();
        for (String pem : tls.clientCerts()) {
            List<X509Certificate> chain = parse(pem);
            if (chain.stream().allMatch(c -> c.getBasicConstraints() >= 0)) {
                clientAnchors.addAll(chain);
            } else {
                pinnedClients.add(der(chain.get(0)));
            }
        }
        for (String pem : tls.crdtCerts()) {
            List<X509Certificate> chain = parse(pem);
            pinnedSyncers.add(der(chain.get(0)));
        }
    }

    public boolean enforcesClientCertificates() {
        return enforce;
    }

    /** Judges the chain a TLS peer presented (leaf first; empty when it presented none). */
    public Verdict judge(X509Certificate[] chain, Instant now) {
        if (chain == null || chain.length == 0) {
            return enforce ? Verdict.refuse(Refusal.NO_CLIENT_CERT, null) : new Verdict(true, false, null, null);
        }
        X509Certificate leaf = chain[0];
        String subject = leaf.getSubjectX500Principal().getName();
        String fp = der(leaf);
        if (pinnedSyncers.contains(fp)) {
            if (!current(leaf, now)) {
                return Verdict.refuse(Refusal.EXPIRED, subject);
            }
            return new Verdict(true, true, null, subject);
        }
        boolean pinned = pinnedClients.contains(fp);
        if (!enforce) {
            // a pasted certificate still authorizes replication (checked as it would be with enforcement)
            boolean replicator = pinned && (allowOutdated || current(leaf, now)) && (allowWeak || !weak(leaf));
            return new Verdict(true, false, replicator, null, subject);
        }
        if (!pinned && !signedByAnchor(chain)) {
            return Verdict.refuse(Refusal.UNTRUSTED, subject);
        }
        if (!allowOutdated && !current(leaf, now)) {
            return Verdict.refuse(Refusal.EXPIRED, subject);
        }
        if (!allowWeak && weak(leaf)) {
            return Verdict.refuse(Refusal.WEAK_HASH, subject);
        }
        if (!pinned && validation != SubjectValidation.DISABLED && !subjectMatches(leaf)) {
            return Verdict.refuse(Refusal.SUBJECT_MISMATCH, subject);
        }
        return new Verdict(true, false, pinned, null, subject);
    }

    private boolean signedByAnchor(X509Certificate[] chain) {
        X509Certificate current = chain[0];
        for (int depth = 0; depth < 8; depth++) {
            for (X509Certificate anchor : clientAnchors) {
                if (issues(anchor, current)) {
                    return true;
                }
            }
            X509Certificate next = null;
            for (int i = 1; i < chain.length; i++) {
                if (chain[i].getBasicConstraints() >= 0 && issues(chain[i], current)) {
                    next = chain[i];
                    break;
                }
            }
            if (next == null) {
                return false;
            }
            current = next;
        }
        return false;
    }

    private static boolean issues(X509Certificate issuer, X509Certificate cert) {
        if (!issuer.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean current(X509Certificate c, Instant now) {
        return !now.isBefore(c.getNotBefore().toInstant()) && !now.isAfter(c.getNotAfter().toInstant());
    }

    static boolean weak(X509Certificate c) {
        String alg = c.getSigAlgName().toUpperCase(Locale.ROOT);
        if (alg.contains("SHA1") || alg.contains("MD5") || alg.contains("MD2")) {
            return true;
        }
        return c.getPublicKey() instanceof RSAKey rsa && rsa.getModulus().bitLength() < 2048;
    }

    private boolean subjectMatches(X509Certificate leaf) {
        Map<String, List<String>> attrs = attributes(leaf);
        for (AuthorizedSubject s : subjects) {
            if (validation == SubjectValidation.SAN_CN) {
                if (attrs.getOrDefault("CN", List.of()).contains(s.cn())) {
                    return true;
                }
            } else if (fullMatch(attrs, s)) {
                return true;
            }
        }
        return false;
    }

    /** Every attribute equal (case-sensitive); OU as a set; attributes the entry leaves out must be absent. */
    private static boolean fullMatch(Map<String, List<String>> attrs, AuthorizedSubject s) {
        return same(attrs.get("CN"), s.cn()) && same(attrs.get("O"), s.o()) && same(attrs.get("L"), s.l())
                && same(attrs.get("ST"), s.st()) && same(attrs.get("C"), s.c())
                && new HashSet<>(attrs.getOrDefault("OU", List.of())).equals(new HashSet<>(s.ou()))
                && attrs.getOrDefault("OU", List.of()).size() == s.ou().size();
    }

    private static boolean same(List<String> values, String expected) {
        if (expected == null || expected.isEmpty()) {
            return values == null || values.isEmpty();
        }
        return values != null && values.size() == 1 && Objects.equals(values.get(0), expected);
    }

    static Map<String, List<String>> attributes(X509Certificate c) {
        Map<String, List<String>> out = new TreeMap<>();
        try {
            for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName("RFC2253")).getRdns()) {
                var attrs = rdn.toAttributes().getAll();
                while (attrs.hasMore()) {
                    var a = attrs.next();
                    String id = a.getID().toUpperCase(Locale.ROOT);
                    for (int i = 0; i < a.size(); i++) {
                        out.computeIfAbsent(id, k -> new ArrayList<>()).add(String.valueOf(a.get(i)));
                    }
                }
            }
        } catch (Exception e) {
            return Map.of();
        }
        return out;
    }

    /**
     * Chains already parsed, by PEM: every instance of a CRDB trusts the same syncer chains, and a switch of 100 CRDBs
     * builds 100 policies per cluster at once. Certificates are immutable; the cache forgets all past 512 entries.
     */
    private static final Map<String, List<X509Certificate>> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    private static List<X509Certificate> parse(String pem) {
        List<X509Certificate> known = PARSED.get(pem);
        if (known != null) {
            return known;
        }
        List<X509Certificate> chain = List.copyOf(parseNew(pem));
        if (PARSED.size() > 512) {
            PARSED.clear();
        }
        PARSED.put(pem, chain);
        return chain;
    }

    private static List<X509Certificate> parseNew(String pem) {
        try {
            return PemCertificates.parse(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unreadable certificate in the bdb's TLS settings", e);
        }
    }

    /** A pinned certificate's identity: its SHA-256 fingerprint. */
    private static String der(X509Certificate c) {
        return PemCertificates.fingerprint(c);
    }
}
