package org.redissync.cert.csr;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.redissync.cert.ca.Keys;
import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;

/**
 * The checks a certificate request must pass, in order, each refusing with its own reason: proof of
 * possession (the CSR's signature), a strong enough signature hash, a strong enough key, and names
 * within those configured for the cluster. What passes contributes only its public key and names.
 */
public final class CsrChecks {

    /** What the CA takes from an accepted request. */
    public record Accepted(PublicKey publicKey, List<GeneralName> subjectAltNames) {
    }

    private static final Set<ASN1ObjectIdentifier> WEAK_SIGNATURES = Set.of(
            PKCSObjectIdentifiers.sha1WithRSAEncryption, PKCSObjectIdentifiers.md5WithRSAEncryption,
            PKCSObjectIdentifiers.md2WithRSAEncryption, X9ObjectIdentifiers.ecdsa_with_SHA1);

    private CsrChecks() {
    }

    /**
     * @param allowedNames DNS names and IP addresses the cluster may have in certificates
     * @param defaultToAllowed when the request names nothing, use every allowed name (the proxy role)
     */
    public static Accepted check(PKCS10CertificationRequest csr, Set<String> allowedNames, boolean defaultToAllowed) {
        PublicKey key;
        try {
            key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
        } catch (Exception e) {
            throw new CertException(CertError.INVALID_CSR, "the request's public key cannot be read");
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new CertException(CertError.BAD_CSR_SIGNATURE, "the request's signature does not verify with its public key");
            }
        } catch (CertException e) {
            throw e;
        } catch (Exception e) {
            throw new CertException(CertError.BAD_CSR_SIGNATURE, "the request's signature cannot be verified");
        }
        if (WEAK_SIGNATURES.contains(csr.getSignatureAlgorithm().getAlgorithm())) {
            throw new CertException(CertError.WEAK_HASHING, "the request is signed with SHA-1 or MD5; use SHA-256 or better");
        }
        Keys.weakness(key).ifPresent(w -> {
            throw new CertException(CertError.WEAK_KEY, w);
        });
        List<GeneralName> requested = requestedNames(csr);
        List<GeneralName> names = new ArrayList<>();
        for (GeneralName n : requested) {
            String value = normalise(n);
            if (value == null || !allowedNames.contains(value)) {
                throw new CertException(CertError.SAN_NOT_ALLOWED, "the name " + describe(n)
                        + " is not among the names configured for this cluster");
            }
            names.add(n);
        }
        if (names.isEmpty() && defaultToAllowed) {
            for (String allowed : allowedNames) {
                names.add(toGeneralName(allowed));
            }
        }
        return new Accepted(key, names);
    }

    /** A configured name as a SAN: an IP address literal becomes an iPAddress, anything else a dNSName. */
    public static GeneralName toGeneralName(String name) {
        return isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName, name);
    }

    private static List<GeneralName> requestedNames(PKCS10CertificationRequest csr) {
        List<GeneralName> out = new ArrayList<>();
        for (Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            Extensions ext = Extensions.getInstance(a.getAttrValues().getObjectAt(0));
            Extension san = ext.getExtension(Extension.subjectAlternativeName);
            if (san != null) {
                for (GeneralName n : GeneralNames.getInstance(san.getParsedValue()).getNames()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** The name in the form names are configured in (lower-case DNS, canonical IP), or null for other kinds. */
    static String normalise(GeneralName n) {
        return switch (n.getTagNo()) {
            case GeneralName.dNSName -> n.getName().toString().toLowerCase(Locale.ROOT);
            case GeneralName.iPAddress -> {
                try {
                    yield InetAddress.getByAddress(DEROctetString.getInstance(n.getName()).getOctets()).getHostAddress();
                } catch (UnknownHostException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }

    private static String describe(GeneralName n) {
        String v = normalise(n);
        return v != null ? v : "of type " + n.getTagNo();
    }

    public static boolean isIpLiteral(String s) {
        return s.matches("[0-9.]+") || s.contains(":");
    }
}
