package org.redissync.cert.api;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;
import org.redissync.cert.registry.CertificateService;

/**
 * cert-service's plain HTTP port: public material only, the CA certificate (the suite's trust bootstrap) and the
 * clusters' public chains. Never a private key, never a credential: CSR signing, key delivery and the administrative
 * calls ({@code update_cert}, rotation, Replica Of keys and passwords) are served only on the TLS listener
 * ({@code tls.ClusterTlsServer}, {@link AdminOperations}); a write sent here is refused, named.
 */
@Path("/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class CertificatesResource {

    private final CertificateService service;
    private final AdminOperations admin;

    CertificatesResource(CertificateService service, AdminOperations admin) {
        this.service = service;
        this.admin = admin;
    }

    /** {@code {"proxy_cert", "syncer_cert", "api_cert"}}: the current public chains (null where none yet). */
    @GET
    @Path("/certificates")
    public Map<String, String> certificates(@QueryParam("cluster") String cluster) {
        return admin.certificates(cluster);
    }

    /** The CA certificate to trust, PEM: the suite's trust bootstrap. */
    @GET
    @Path("/certificates/ca")
    @Produces("application/x-pem-file")
    public String ca() {
        return service.caPem();
    }

    @PUT
    @Path("/{path: .+}")
    public Map<String, Object> put(@PathParam("path") String path) {
        throw plaintextWrite(path);
    }

    @POST
    @Path("/{path: .+}")
    public Map<String, Object> post(@PathParam("path") String path) {
        throw plaintextWrite(path);
    }

    private static CertException plaintextWrite(String path) {
        return new CertException(CertError.ADMIN_IDENTITY_REQUIRED, "/v1/cluster/" + path + " is not served over plain HTTP: "
                + "administrative calls go to cert-service's TLS listener, with the API's client certificate and the admin token");
    }
}
