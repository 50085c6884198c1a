package org.redissync.cert.api;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redissync.cert.Openssl;
import org.redissync.cert.ca.Pem;
import org.redissync.cert.tls.ClusterTlsServer;
import org.redissync.testing.KafkaBrokerTestResource;

/** Requests made with {@code openssl req -new}, signed over REST, verified with {@code openssl verify}. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
public class CsrSigningIT {

    /** The management interface's root ({@code /q/}): health, metrics and OpenAPI, not on the service's own port. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @TempDir
    Path dir;

    @Inject
    ClusterTlsServer tls;

    public static java.security.KeyStore caTrust() {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", Pem.certificates(given().get("/v1/cluster/certificates/ca").asString()).get(0));
            return ks;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEcProxyRequestIsSignedAndOpensslVerifiesItWithServerAuthAndTheRequestedNames() {
        Openssl.ok(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "proxy.key",
                "-out", "proxy.csr", "-subj", "/CN=asks-for-anything/O=ignored", "-addext",
                "subjectAltName=DNS:a.example.test,IP:127.0.0.1");
        String chain = sign("cluster-a", "proxy", read("proxy.csr"), "test-token-a").then().statusCode(200)
                .body("generation", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .extract().path("certificate");
        write("proxy.pem", chain);
        write("ca.pem", given().get("/v1/cluster/certificates/ca").then().statusCode(200).extract().asString());

        assertThat(Openssl.ok(dir, "verify", "-CAfile", "ca.pem", "proxy.pem")).contains("proxy.pem: OK");
        String text = Openssl.ok(dir, "x509", "-in", "proxy.pem", "-noout", "-subject", "-ext",
                "extendedKeyUsage,subjectAltName,basicConstraints,keyUsage");
        assertThat(text).contains("subject=O = redis-sync, OU = cluster-a, CN = proxy.cluster-a", "TLS Web Server Authentication",
                "DNS:a.example.test", "IP Address:127.0.0.1", "CA:FALSE", "Digital Signature")
                .doesNotContain("Client Authentication", "asks-for-anything");
        // The key never left: what came back is public only.
        assertThat(chain).doesNotContain("PRIVATE KEY");
        given().queryParam("cluster", "cluster-a").get("/v1/cluster/certificates").then().statusCode(200)
                .body("proxy_cert", containsString("BEGIN CERTIFICATE"));
        given().get(management + "metrics").then()
                .body(containsString("redissync_certificate_expiry_seconds{cluster=\"cluster-a\",role=\"proxy\"}"))
                .body(containsString("redissync_certificates_issued_total{cluster=\"cluster-a\",role=\"proxy\",source=\"csr\"}"));
    }

    @Test
    void anRsaSyncerRequestGetsClientAuthAndASubjectNamingTheCluster() {
        Openssl.ok(dir, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "syncer.key", "-out", "syncer.csr", "-subj", "/CN=x");
        write("syncer.pem", sign("cluster-a", "syncer", read("syncer.csr"), "test-token-a").then().statusCode(200)
                .extract().path("certificate"));
        write("ca.pem", given().get("/v1/cluster/certificates/ca").then().extract().asString());
        assertThat(Openssl.ok(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "syncer.pem")).contains("OK");
        String text = Openssl.ok(dir, "x509", "-in", "syncer.pem", "-noout", "-subject", "-ext", "extendedKeyUsage,keyUsage,subjectAltName");
        assertThat(text).contains("CN = syncer.cluster-a", "TLS Web Client Authentication", "Key Encipherment",
                "URI:urn:redis-sync:cluster:cluster-a:syncer").doesNotContain("Server Authentication");
    }

    @Test
    void refusedRequestsGetA4xxWithAReasonAndNoCertificateExistsAfterwards() throws Exception {
        Openssl.ok(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "f.key", "-out",
                "foreign.csr", "-subj", "/CN=x", "-addext", "subjectAltName=DNS:evil.example");
        Openssl.ok(dir, "req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", "w.key", "-out", "weak.csr", "-subj", "/CN=x");
        Openssl.ok(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "g.key", "-out",
                "good.csr", "-subj", "/CN=x");
        String tampered = tamperSignature(read("good.csr"));

        refused(sign("cluster-b", "proxy", read("foreign.csr"), "test-token-b"), 403, "san_not_allowed");
        refused(sign("cluster-b", "proxy", read("weak.csr"), "test-token-b"), 400, "weak_key");
        refused(sign("cluster-b", "proxy", tampered, "test-token-b"), 400, "bad_csr_signature");
        refused(sign("cluster-b", "proxy", read("good.csr"), null), 401, "unauthenticated");
        refused(sign("cluster-b", "proxy", read("good.csr"), "test-token-a"), 401, "unauthenticated");
        refused(sign("cluster-b", "proxy", "-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n",
                "test-token-b"), 400, "invalid_csr");
        refused(sign("cluster-b", "dba", read("good.csr"), "test-token-b"), 400, "invalid_name");
        // a data cluster's token never gets the API's identity (urn:...:cluster-b:api would be someone the CLIs trust less
        // than nobody; here it is simply not a role cluster-b may hold)
        refused(sign("cluster-b", "api", read("good.csr"), "test-token-b"), 403, "role_not_allowed");
        refused(sign("nowhere", "proxy", read("good.csr"), "x"), 404, "unknown_cluster");

        given().queryParam("cluster", "cluster-b").get("/v1/cluster/certificates").then().statusCode(200)
                .body("proxy_cert", nullValue()).body("syncer_cert", nullValue()).body("api_cert", nullValue());
        given().get(management + "metrics").then().body(containsString("redissync_certificate_requests_refused_total{reason=\"role_not_allowed\"}"));
        given().get(management + "metrics").then().body(containsString("redissync_certificate_requests_refused_total{reason=\"san_not_allowed\"}"));
    }

    /** Over the TLS listener, trusting only the suite's CA (fetched from the public CA URL). */
    private io.restassured.response.Response sign(String cluster, String role, String csr, String token) {
        var req = given().baseUri("https://127.0.0.1").port(tls.port()).trustStore(caTrust())
                .contentType(ContentType.JSON).queryParam("cluster", cluster).body(Map.of("name", role, "csr", csr));
        if (token != null) {
            req = req.header("Authorization", "Bearer " + token);
        }
        return req.post("/v1/cluster/certificates/csr");
    }

    private static void refused(io.restassured.response.Response r, int status, String code) {
        r.then().statusCode(status).body("error_code", equalTo(code)).body("description", org.hamcrest.Matchers.notNullValue())
                .body("message", org.hamcrest.Matchers.notNullValue());
    }

    /** Flips the last byte of the request's signature: the request is intact but no longer signed by its key. */
    static String tamperSignature(String pem) {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        der[der.length - 1] ^= 0x01;
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void write(String name, String content) {
        try {
            Files.writeString(dir.resolve(name), content);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
