package org.redissync.cert.ca;

import java.nio.file.Path;
import java.time.Clock;

import javax.security.auth.x500.X500Principal;

import jakarta.inject.Singleton;

import org.redissync.cert.config.CertServiceConfig;

/** The CA of this cert-service, loaded (or created once) when the service starts. */
@Singleton
public class CaHolder {

    private final CertificateAuthority authority;

    CaHolder(CertServiceConfig config, Clock clock) {
        CertServiceConfig.Ca c = config.ca();
        CaMaterial material;
        if (c.certificateFile().isPresent()) {
            Path key = Path.of(c.keyFile().orElseThrow(() -> new IllegalStateException(
                    "redissync.ca.certificate-file is set: redissync.ca.key-file is required too")));
            material = CaStore.loadOperatorCa(Path.of(c.certificateFile().get()), key);
        } else {
            material = CaStore.loadOrCreate(Path.of(config.stateDir()).resolve("ca"),
                    c.keystorePassword().map(String::toCharArray), c.keyAlgorithm(), new X500Principal(c.subject()),
                    c.validity(), clock);
        }
        this.authority = new CertificateAuthority(material, clock);
    }

    public CertificateAuthority authority() {
        return authority;
    }
}
