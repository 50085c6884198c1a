package org.redissync.cert.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.security.auth.x500.X500Principal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import org.bouncycastle.asn1.x509.GeneralName;
import org.jboss.logging.Logger;
import org.redissync.identity.PeerIdentity;
import org.redissync.cert.ca.CaHolder;
import org.redissync.cert.ca.CertificateAuthority;
import org.redissync.cert.ca.CaStore;
import org.redissync.cert.ca.Pem;
import org.redissync.cert.ca.SuppliedCertificates;
import org.redissync.cert.config.CertServiceConfig;
import org.redissync.cert.csr.CsrChecks;
import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;
import org.redissync.cert.events.CertEvents;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent;
import org.redissync.events.ClusterCertificateEvent.CaPublished;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.events.SuiteEvent;

/**
 * What cert-service does: issue certificates from requests, accept operator-supplied ones, rotate,
 * and publish every cluster role's public certificates on {@code cluster.certificates}, which is
 * also where this state is rebuilt from after a restart. One writer: calls are serialised, and each
 * answers only once its event is back from the broker (read-your-writes).
 */
@Singleton
public class CertificateService {

    private static final Logger LOG = Logger.getLogger(CertificateService.class);

    private final CertServiceConfig config;
    private final CertificateAuthority ca;
    private final CertEvents events;
    private final Map<String, Instant> tokenExpiresAt = new java.util.HashMap<>();
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Map<String, Set<String>> allowedNames = new LinkedHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Set<String> gauges = ConcurrentHashMap.newKeySet();

    CertificateService(CertServiceConfig config, CaHolder ca, CertEvents events, Clock clock, MeterRegistry metrics) {
        this.config = config;
        this.ca = ca.authority();
        this.events = events;
        this.clock = clock;
        this.metrics = metrics;
        config.clusters().forEach((name, c) -> {
            Set<String> names = new TreeSet<>();
            for (String n : c.names()) {
                names.add(CsrChecks.isIpLiteral(n) ? canonicalIp(n) : n.toLowerCase(Locale.ROOT));
            }
            allowedNames.put(name, names);
            for (String r : c.roles()) {
                try {
                    role(r);
                } catch (CertException e) {
                    throw new IllegalStateException("redissync.clusters." + name + ".roles: '" + r + "' is not a role (proxy, syncer, api)");
                }
            }
            c.tokenExpiresAt().ifPresent(at -> tokenExpiresAt.put(name, tokenExpiry(name, at)));
        });
        refuseSharedNames(config, allowedNames);
    }

    /**
     * A cluster's names are its own: no two clusters, and no cluster and cert-service itself, may share a name, so no
     * cluster can obtain a certificate a client checking hostnames only (a Redis client of another cluster's endpoint)
     * would take for someone else's. Loopback names are the one exception: on one host every process shares them, and
     * the suite's own clients tell its services apart by their URN identity.
     */
    static void refuseSharedNames(CertServiceConfig config, Map<String, Set<String>> allowed) {
        Map<String, String> owner = new java.util.HashMap<>();
        for (String n : config.tls().names()) {
            String name = CsrChecks.isIpLiteral(n) ? canonicalIp(n) : n.toLowerCase(Locale.ROOT);
            if (!isLoopback(name)) {
                owner.put(name, "cert-service (redissync.tls.names)");
            }
        }
        for (Map.Entry<String, Set<String>> c : new java.util.TreeMap<>(allowed).entrySet()) {
            for (String name : c.getValue()) {
                if (isLoopback(name)) {
                    continue;
                }
                String before = owner.putIfAbsent(name, "cluster " + c.getKey());
                if (before != null) {
                    throw new IllegalStateException("redissync.clusters." + c.getKey() + ".names: '" + name + "' is also " + before
                            + "'s name; a cluster's names are its own (only loopback names may be shared)");
                }
            }
        }
    }

    private static boolean isLoopback(String canonicalName) {
        if ("localhost".equals(canonicalName) || canonicalName.endsWith(".localhost")) {
            return true;
        }
        if (CsrChecks.isIpLiteral(canonicalName)) {
            try {
                return java.net.InetAddress.getByName(canonicalName).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    private static Instant tokenExpiry(String cluster, String value) {
        try {
            return Instant.parse(value.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalStateException("redissync.clusters." + cluster + ".token-expires-at: '" + value
                    + "' is not an ISO-8601 instant (e.g. 2026-12-06T12:00:00Z)");
        }
    }

    /** The CA certificate clients trust (the root of the chain), PEM. */
    public String caPem() {
        return Pem.write(ca.material().root());
    }

    /** Publishes the CA when the topic does not carry this one yet (first start, or a new operator CA). */
    public synchronized void publishCaIfNeeded() {
        X509Certificate root = ca.material().root();
        String fp = Pem.fingerprint(root);
        Optional<ClusterCertificateEvent> current = events.certificates().get(CaPublished.KEY);
        if (current.isPresent() && current.get() instanceof CaPublished p && p.current().fingerprintSha256().equals(fp)) {
            return;
        }
        PublishedCertificate cert = describe(List.of(root), null);
        List<PublishedCertificate> trusted = new ArrayList<>();
        trusted.add(cert);
        long generation = current.map(ClusterCertificateEvent::generation).orElse(0L) + 1;
        publish(new CaPublished(CaPublished.VERSION, generation, cert, trusted, clock.instant()));
    }

    /**
     * Who asks: a bootstrap token, and/or the cluster named by a client certificate this CA issued and the
     * TLS layer verified (renewals over mTLS).
     */
    public record Requester(String token, Optional<String> certifiedCluster) {
        public static Requester token(String token) {
            return new Requester(token, Optional.empty());
        }

        /** The token of an {@code Authorization: Bearer <token>} header, or null. */
        public static String bearer(String authorization) {
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return null;
            }
            return authorization.substring(7).trim();
        }

        @Override
        public String toString() {
            return "Requester[token=" + (token == null ? "none" : "[hidden]") + ", certified=" + certifiedCluster + "]";
        }
    }

    /** Signs a CSR for {@code cluster}'s {@code role} once the requester is authenticated as that cluster. */
    public synchronized Issued issue(String cluster, String roleName, String csrPem, Requester requester) {
        try {
            authenticate(cluster, requester);
            CertRole role = role(roleName);
            if (!config.clusters().get(cluster).roles().contains(role.wire())) {
                throw new CertException(CertError.ROLE_NOT_ALLOWED, "cluster " + cluster + " may obtain " + config.clusters().get(cluster)
                        .roles() + " certificates, not " + role.wire());
            }
            CsrChecks.Accepted accepted;
            try {
                accepted = CsrChecks.check(Pem.csr(csrPem), allowedNames.get(cluster), role != CertRole.SYNCER);
            } catch (Pem.PemException e) {
                throw new CertException(CertError.INVALID_CSR, e.getMessage());
            }
            List<GeneralName> sans = new ArrayList<>(accepted.subjectAltNames());
            sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, PeerIdentity.of(cluster, role.wire())));
            List<X509Certificate> chain = ca.issue(accepted.publicKey(), new CertificateAuthority.Profile(
                    subject(cluster, role), sans, role != CertRole.SYNCER,
                    // the syncer's is a client to its peers; the API's to cert-service (administrative calls, mutual TLS)
                    role == CertRole.SYNCER || role == CertRole.API,
                    config.certificates().validity()));
            RoleCertificatesPublished published = replace(cluster, role, chain, false);
            issued(cluster, role.wire(), "csr").increment();
            LOG.infof("issued %s certificate for %s: serial %s, valid until %s", role.wire(), cluster,
                    Pem.serialHex(chain.get(0)), chain.get(0).getNotAfter().toInstant());
            return new Issued(Pem.write(chain), caPem(), published.generation(), published.current());
        } catch (CertException e) {
            refused(e, "certificate request for " + cluster + "/" + roleName);
            throw e;
        }
    }

    /** An operator-supplied private key, for the syncer-service of its own cluster only (over TLS). */
    public String suppliedKey(String cluster, String roleName, Requester requester) {
        try {
            authenticate(cluster, requester);
            CertRole role = role(roleName);
            Path file = keyFile(cluster, role);
            if (!java.nio.file.Files.exists(file)) {
                throw new CertException(CertError.NOT_FOUND, "no operator-supplied " + role.wire() + " key for " + cluster);
            }
            LOG.infof("delivered the operator-supplied %s key of %s to %s", role.wire(), cluster, requester);
            return java.nio.file.Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertException e) {
            refused(e, "key delivery for " + cluster + "/" + roleName);
            throw e;
        }
    }

    /** What a client identity's id may be: the coordinator's {@code bdb<uid>-source<uid>-<fingerprint>}, never a path. */
    private static final java.util.regex.Pattern CLIENT_KEY_ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,100}");

    /**
     * A Replica Of destination's client identity ({@code replica_sources[].client_cert}/{@code client_key}): checked as an
     * operator's syncer certificate is (the key belongs to the leaf, strong, valid now, clientAuth), then the key is kept
     * owner-only for {@code cluster}'s syncer-service, which alone may fetch it ({@link #clientKey}). Never published.
     *
     * @return the leaf's SHA-256 fingerprint
     */
    public synchronized String supplyClientKey(String cluster, String id, String certificatePem, String keyPem) {
        try {
            if (!config.clusters().containsKey(cluster)) {
                throw new CertException(CertError.UNKNOWN_CLUSTER, "no cluster named '" + cluster + "' is configured");
            }
            if (id == null || !CLIENT_KEY_ID.matcher(id).matches()) {
                throw new CertException(CertError.INVALID_REQUEST, "a client key id is lowercase letters, digits and dashes");
            }
            if (keyPem == null || keyPem.isBlank()) {
                throw new CertException(CertError.INVALID_KEY, "client_key is required with client_cert");
            }
            SuppliedCertificates.Checked c = SuppliedCertificates.check(CertRole.SYNCER, certificatePem, keyPem, clock.instant());
            CaStore.writeSecret(clientKeyFile(cluster, id), Pem.writePrivateKey(c.key()).getBytes(StandardCharsets.US_ASCII));
            LOG.infof("kept the client key %s of %s (%s)", id, cluster, c.chain().get(0).getSubjectX500Principal().getName());
            return Pem.fingerprint(c.chain().get(0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the client key", e);
        } catch (CertException e) {
            refused(e, "client key " + id + " for " + cluster);
            throw e;
        }
    }

    /**
     * A Replica Of source's password (the coordinator keeps it out of {@code bdb.config}), kept owner-only for
     * {@code cluster}'s syncer-service, which alone may fetch it ({@link #secret}). Never published or returned here.
     */
    public synchronized void supplySecret(String cluster, String id, String secret) {
        try {
            if (!config.clusters().containsKey(cluster)) {
                throw new CertException(CertError.UNKNOWN_CLUSTER, "no cluster named '" + cluster + "' is configured");
            }
            if (id == null || !CLIENT_KEY_ID.matcher(id).matches()) {
                throw new CertException(CertError.INVALID_REQUEST, "a secret's id is lowercase letters, digits and dashes");
            }
            if (secret == null || secret.isEmpty() || secret.length() > 4096) {
                throw new CertException(CertError.INVALID_REQUEST, "a secret of 1 to 4096 characters expected");
            }
            CaStore.writeSecret(secretFile(cluster, id), secret.getBytes(StandardCharsets.UTF_8));
            LOG.infof("kept the secret %s of %s", id, cluster);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the secret", e);
        } catch (CertException e) {
            refused(e, "secret " + id + " for " + cluster);
            throw e;
        }
    }

    /** A secret ({@link #supplySecret}), for the syncer-service of its own cluster only (over TLS). */
    public String secret(String cluster, String id, Requester requester) {
        return deliver(cluster, id, requester, "secret", secretFile(cluster, id));
    }

    /** A client identity's key ({@link #supplyClientKey}), for the syncer-service of its own cluster only (over TLS). */
    public String clientKey(String cluster, String id, Requester requester) {
        return deliver(cluster, id, requester, "client key", clientKeyFile(cluster, id));
    }

    private Path secretFile(String cluster, String id) {
        return keptFile(cluster, id, "secret-" + id);
    }

    private Path clientKeyFile(String cluster, String id) {
        return keptFile(cluster, id, "client-" + id + ".key");
    }

    /** Where a kept secret or key of {@code cluster} lives, or null for an id that is not one (never a path). */
    private Path keptFile(String cluster, String id, String name) {
        return id == null || !CLIENT_KEY_ID.matcher(id).matches() ? null
                : Path.of(config.stateDir()).resolve("keys").resolve(cluster).resolve(name);
    }

    /** A kept secret or key, to the syncer-service of its own cluster only (authenticated as that cluster). */
    private String deliver(String cluster, String id, Requester requester, String what, Path file) {
        try {
            authenticate(cluster, requester);
            if (file == null || !java.nio.file.Files.exists(file)) {
                throw new CertException(CertError.NOT_FOUND, "no " + what + " " + id + " for " + cluster);
            }
            LOG.infof("delivered the %s %s of %s to %s", what, id, cluster, requester);
            return java.nio.file.Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertException e) {
            refused(e, what + " delivery for " + cluster + "/" + id);
            throw e;
        }
    }

    private void authenticate(String cluster, Requester requester) {
        CertServiceConfig.Cluster policy = config.clusters().get(cluster);
        if (policy == null) {
            throw new CertException(CertError.UNKNOWN_CLUSTER, "no cluster named '" + cluster + "' is configured");
        }
        if (requester.certifiedCluster().filter(cluster::equals).isPresent()) {
            return;
        }
        String token = requester.token();
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), policy.token().getBytes(StandardCharsets.UTF_8))) {
            throw new CertException(CertError.UNAUTHENTICATED, "missing or wrong bootstrap token for cluster '" + cluster
                    + "' (and no valid client certificate of that cluster)");
        }
        Instant expiry = tokenExpiresAt.get(cluster);
        if (expiry != null && !clock.instant().isBefore(expiry)) {
            throw new CertException(CertError.TOKEN_EXPIRED, "the bootstrap token of cluster '" + cluster + "' expired at " + expiry
                    + ": renew with a valid certificate of that cluster (mutual TLS), or configure a new token");
        }
    }

    /** A signed chain (leaf first), the CA to trust, and what was published. */
    public record Issued(String certificatePem, String caPem, long generation, PublishedCertificate published) {
    }

    /** Operator-supplied certificates for one cluster: all are checked before any is taken (all or nothing). */
    public synchronized List<RoleCertificatesPublished> supply(String cluster, List<Supplied> items) {
        try {
            if (!config.clusters().containsKey(cluster)) {
                throw new CertException(CertError.UNKNOWN_CLUSTER, "no cluster named '" + cluster + "' is configured");
            }
            if (items.isEmpty()) {
                throw new CertException(CertError.INVALID_REQUEST, "no certificate given");
            }
            Map<CertRole, SuppliedCertificates.Checked> checked = new EnumMap<>(CertRole.class);
            for (Supplied item : items) {
                CertRole role = role(item.name());
                if (checked.containsKey(role)) {
                    throw new CertException(CertError.INVALID_REQUEST, "the " + role.wire() + " certificate is given twice");
                }
                SuppliedCertificates.Checked c = SuppliedCertificates.check(role, item.certificatePem(), item.keyPem(), clock.instant());
                if (c.key() == null) {
                    forTheKeyItHas(cluster, c);
                }
                checked.put(role, c);
            }
            List<RoleCertificatesPublished> out = new ArrayList<>();
            for (SuppliedCertificates.Checked c : checked.values()) {
                if (c.key() != null) {
                    keepKey(cluster, c);
                }
                out.add(replace(cluster, c.role(), c.chain(), true));
                issued(cluster, c.role().wire(), "operator").increment();
                LOG.infof("took operator-supplied %s certificate for %s (%s)", c.role().wire(), cluster,
                        c.chain().get(0).getSubjectX500Principal().getName());
            }
            return out;
        } catch (CertException e) {
            refused(e, "operator certificate for " + cluster);
            throw e;
        }
    }

    /**
     * RE's {@code rladmin cluster certificate set <name> certificate_file <f>} without {@code key_file}: a new certificate
     * for the key the role has now (e.g. one the operator's CA issued for the syncer-service's own key). Its owner keeps
     * that key (a syncer-service makes its keys itself; this service never has them); the API certificate's owner is
     * not one that can, so it needs its key.
     */
    private void forTheKeyItHas(String cluster, SuppliedCertificates.Checked c) {
        if (c.role() == CertRole.API) {
            throw new CertException(CertError.INVALID_KEY, "the api certificate needs its key (key_file)");
        }
        RoleCertificatesPublished now = current(cluster).get(c.role());
        java.security.PublicKey has = null;
        if (now != null && now.current() != null) {
            try {
                has = Pem.certificates(now.current().chainPem()).get(0).getPublicKey();
            } catch (Pem.PemException e) {
                has = null;
            }
        }
        if (has == null || !java.util.Arrays.equals(has.getEncoded(), c.chain().get(0).getPublicKey().getEncoded())) {
            throw new CertException(CertError.KEY_MISMATCH, "no key was given, and the " + c.role().wire() + " certificate is not for the key "
                    + cluster + "'s " + c.role().wire() + " certificate has now: give its key (key_file)");
        }
    }

    /** One element of update_cert / certificates: role name, PEM chain, PEM key (absent: the key the role has now). */
    public record Supplied(String name, String certificatePem, String keyPem) {
        @Override
        public String toString() {
            return "Supplied[" + name + ", key=[hidden]]";
        }
    }

    /** Asks the owners of {@code cluster}'s certificates (one role, or all) to re-key now. */
    public synchronized List<String> rotate(Optional<String> cluster, Optional<String> roleName) {
        Optional<CertRole> role = roleName.map(CertificateService::role);
        if (cluster.isPresent() && !config.clusters().containsKey(cluster.get())) {
            throw new CertException(CertError.UNKNOWN_CLUSTER, "no cluster named '" + cluster.get() + "' is configured");
        }
        List<String> rotated = new ArrayList<>();
        for (ClusterCertificateEvent e : events.certificates().all().values()) {
            if (e instanceof RoleCertificatesPublished r && cluster.map(r.cluster()::equals).orElse(true)
                    && role.map(r.role()::equals).orElse(true)) {
                publish(RoleCertificates.requestRotation(r, clock.instant()));
                rotated.add(r.key());
            }
        }
        return rotated;
    }

    /** Drops predecessors whose overlap window has ended. Called periodically and by tests that move the clock. */
    public synchronized int pruneExpired() {
        int n = 0;
        for (ClusterCertificateEvent e : events.certificates().all().values()) {
            if (e instanceof RoleCertificatesPublished r) {
                Optional<RoleCertificatesPublished> pruned = RoleCertificates.prune(r, clock.instant());
                if (pruned.isPresent()) {
                    publish(pruned.get());
                    n++;
                }
            }
        }
        return n;
    }

    /** The current public certificate chains of {@code cluster}, by role. */
    public Map<CertRole, RoleCertificatesPublished> current(String cluster) {
        Map<CertRole, RoleCertificatesPublished> out = new EnumMap<>(CertRole.class);
        for (CertRole role : CertRole.values()) {
            events.certificates().get(ClusterCertificateEvent.key(cluster, role))
                    .filter(RoleCertificatesPublished.class::isInstance)
                    .map(RoleCertificatesPublished.class::cast)
                    .ifPresent(r -> out.put(role, r));
        }
        return out;
    }

    public boolean knowsCluster(String cluster) {
        return config.clusters().containsKey(cluster);
    }

    private RoleCertificatesPublished replace(String cluster, CertRole role, List<X509Certificate> chain, boolean operatorSupplied) {
        RoleCertificatesPublished previous = current(cluster).get(role);
        RoleCertificatesPublished next = RoleCertificates.replace(previous, cluster, role, describe(chain, null), operatorSupplied,
                config.certificates().overlap(), clock.instant());
        publish(next);
        registerExpiryGauge(cluster, role);
        return next;
    }

    private void publish(SuiteEvent event) {
        try {
            events.streams().publisher().publish(event).get(15, TimeUnit.SECONDS);
            events.certificates().log().readToEnd().get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CertException(CertError.UNAVAILABLE, "interrupted while publishing");
        } catch (Exception e) {
            throw new CertException(CertError.UNAVAILABLE, "Kafka did not take the certificate event: " + e.getMessage());
        }
    }

    private void registerExpiryGauge(String cluster, CertRole role) {
        if (gauges.add(cluster + "/" + role.wire())) {
            Gauge.builder("redissync_certificate_expiry_seconds", this, s -> s.secondsToExpiry(cluster, role))
                    .description("Seconds until the current certificate of a cluster role expires")
                    .tag("cluster", cluster).tag("role", role.wire())
                    .register(metrics);
        }
    }

    double secondsToExpiry(String cluster, CertRole role) {
        RoleCertificatesPublished r = current(cluster).get(role);
        return r == null ? Double.NaN : java.time.Duration.between(clock.instant(), r.current().notAfter()).toSeconds();
    }

    private io.micrometer.core.instrument.Counter issued(String cluster, String role, String source) {
        return io.micrometer.core.instrument.Counter.builder("redissync_certificates_issued_total")
                .description("Certificates issued (source csr) or taken from the operator (source operator), by cluster and role")
                .tag("cluster", cluster).tag("role", role).tag("source", source).register(metrics);
    }

    private void refused(CertException e, String what) {
        refusals.computeIfAbsent(e.error().code(), code -> io.micrometer.core.instrument.Counter.builder(
                "redissync_certificate_requests_refused_total").description("Certificate requests and administrative calls refused, by reason")
                .tag("reason", code).register(metrics)).increment();
        LOG.warnf("refused %s: %s (%s)", what, e.error().code(), e.getMessage());
    }

    private Path keyFile(String cluster, CertRole role) {
        return Path.of(config.stateDir()).resolve("keys").resolve(cluster).resolve(role.wire() + ".key");
    }

    private void keepKey(String cluster, SuppliedCertificates.Checked c) {
        Path file = keyFile(cluster, c.role());
        try {
            CaStore.writeSecret(file, Pem.writePrivateKey(c.key()).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the supplied key", e);
        }
    }

    static CertRole role(String name) {
        if (name != null) {
            for (CertRole r : CertRole.values()) {
                if (r.wire().equals(name.toLowerCase(Locale.ROOT))) {
                    return r;
                }
            }
        }
        throw new CertException(CertError.INVALID_NAME, "unknown certificate name '" + name + "' (proxy, syncer or api)");
    }

    /** The cluster a certificate issued by this CA names in its URI SAN, if any. */
    public static Optional<String> certifiedCluster(X509Certificate cert) {
        try {
            if (cert.getSubjectAlternativeNames() == null) {
                return Optional.empty();
            }
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                if (Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(san.get(0))
                        && san.get(1) instanceof String uri && uri.startsWith(URN_PREFIX)) {
                    String rest = uri.substring(URN_PREFIX.length());
                    int colon = rest.lastIndexOf(':');
                    return colon > 0 ? Optional.of(rest.substring(0, colon)) : Optional.empty();
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static final String URN_PREFIX = PeerIdentity.CLUSTER_PREFIX;

    static X500Principal subject(String cluster, CertRole role) {
        return new X500Principal("CN=" + role.wire() + "." + cluster + ",OU=" + cluster + ",O=redis-sync");
    }

    static PublishedCertificate describe(List<X509Certificate> chain, Instant trustedUntil) {
        X509Certificate leaf = chain.get(0);
        return new PublishedCertificate(Pem.write(chain), Pem.fingerprint(leaf), leaf.getSubjectX500Principal().getName(),
                Pem.serialHex(leaf), leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), trustedUntil);
    }

    private static String canonicalIp(String ip) {
        try {
            return java.net.InetAddress.getByName(ip).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
    }
}
