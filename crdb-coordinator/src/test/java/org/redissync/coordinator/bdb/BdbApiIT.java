package org.redissync.coordinator.bdb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.crdb.FakeSyncers;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.SyncState;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.coordinator.TestCerts;
import org.redissync.coordinator.ApiCertificateTestResource;
import org.redissync.testing.KafkaBrokerTestResource;

/** /v1/bdbs against the real broker: every field, every refusal, and refusals change nothing. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class BdbApiIT {

    static RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON);
    }

    static RequestSpecification viewer() {
        return given().auth().preemptive().basic("viewer", "test-viewer-password").contentType(ContentType.JSON);
    }

    static long create(String cluster) {
        return admin().body(Map.of("name", "db-" + UUID.randomUUID().toString().substring(0, 8), "cluster", cluster))
                .post("/v1/bdbs").then().statusCode(200).extract().jsonPath().getLong("uid");
    }

    static String snapshot() {
        return admin().get("/v1/bdbs").then().statusCode(200).extract().asString();
    }

    @Test
    void aReplicaSourcesPasswordIsKeptOutOfTheDesiredStateAndNeverShown() {
        // cert-service keeps it (none runs in this test: 503, nothing is created); a dry run shows the URI as GET will
        String name = "masked-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, Object> body = Map.of("name", name, "cluster", "cluster-a", "replica_sources",
                List.of(Map.of("uri", "redis://app:s3cret-pw@far.example:6379")));
        admin().body(body).post("/v1/bdbs").then().statusCode(503).body("description", containsString("replica_sources[0].uri: no cert-service"));
        String dry = admin().body(body).post("/v1/bdbs?dry_run").then().statusCode(200)
                .body("replica_sources[0].uri", equalTo("redis://app:********@far.example:6379")).extract().asString();
        assertThat(dry).doesNotContain("s3cret-pw");
        assertThat(admin().get("/v1/bdbs").asString()).doesNotContain(name);
        // a masked password the bdb never had is not a password
        admin().body(Map.of("name", name, "cluster", "cluster-a", "replica_sources",
                List.of(Map.of("uri", "redis://app:********@far.example:6379")))).post("/v1/bdbs").then().statusCode(406)
                .body("description", containsString("give the password"));
        assertThat(BdbResource.maskPassword("redis://:pw@h:1")).isEqualTo("redis://:********@h:1");
        assertThat(BdbResource.maskPassword("redis://app:pw%40x@h:1")).isEqualTo("redis://app:********@h:1");
        assertThat(BdbResource.maskPassword("redis://h:1")).isEqualTo("redis://h:1");
        assertThat(BdbService.password("redis://app:pw%40x@h:1")).isEqualTo("pw@x");
        assertThat(BdbService.password("redis://h:1")).isNull();
    }

    @Test
    void withoutCredentialsIs401AndAViewerMayReadButNotWrite() {
        given().get("/v1/bdbs").then().statusCode(401);
        given().auth().preemptive().basic("admin", "wrong").get("/v1/bdbs").then().statusCode(401);
        viewer().get("/v1/bdbs").then().statusCode(200);
        viewer().body(Map.of("name", "x", "cluster", "cluster-a")).post("/v1/bdbs").then().statusCode(403);
    }

    @Test
    void theFrameworksRefusalsComeInResErrorBody() {
        Object[][] cases = {
                {given().get("/v1/bdbs"), 401, "unauthorized"},
                {given().auth().preemptive().basic("admin", "wrong").get("/v1/bdbs"), 401, "unauthorized"},
                {viewer().body(Map.of("name", "x")).post("/v1/bdbs"), 403, "forbidden"},
                {admin().get("/v1/no-such-thing"), 404, "not_found"},
                {admin().body("{}").patch("/v1/bdbs"), 405, "method_not_allowed"}};
        for (Object[] c : cases) {
            Response r = (Response) c[0];
            r.then().statusCode((int) c[1]).contentType(ContentType.JSON).body("error_code", equalTo(c[2]))
                    .body("description", org.hamcrest.Matchers.notNullValue());
        }
    }

    @Test
    void anReScriptsCreateWithoutAClusterGoesToTheDefaultClusterAndItsUidIsHonoured() {
        long wanted = 900_000 + new java.util.Random().nextInt(90_000);
        // RE's body: no "cluster" (one API per cluster there), an explicit uid
        admin().body(Map.of("name", "re-" + UUID.randomUUID().toString().substring(0, 6), "uid", wanted, "memory_size", 1 << 26))
                .post("/v1/bdbs").then().statusCode(200).body("uid", equalTo((int) wanted)).body("cluster", equalTo("cluster-b"));
        String before = snapshot();
        admin().body(Map.of("name", "re-" + UUID.randomUUID().toString().substring(0, 6), "uid", wanted)).post("/v1/bdbs")
                .then().statusCode(409).body("error_code", equalTo("uid_exists"));
        admin().body(Map.of("name", "re-" + UUID.randomUUID().toString().substring(0, 6), "uid", -3)).post("/v1/bdbs")
                .then().statusCode(406).body("error_code", equalTo("invalid_value"));
        admin().body(Map.of("uid", wanted + 1)).put("/v1/bdbs/" + wanted).then().statusCode(406)
                .body("description", containsString("cannot be changed"));
        assertThat(snapshot()).isEqualTo(before);
        // a deleted bdb's uid is not given again
        admin().delete("/v1/bdbs/" + wanted).then().statusCode(200);
        admin().body(Map.of("name", "re-" + UUID.randomUUID().toString().substring(0, 6), "uid", wanted)).post("/v1/bdbs")
                .then().statusCode(409);
    }

    @Test
    void nothingIsSilentlyIgnoredAndRessFixedFieldsAreTakenAtTheirOneValue() {
        // RE's create body with the fields it usually carries, at the one value this suite supports
        long uid = admin().body(Map.of("name", "fixed-" + UUID.randomUUID().toString().substring(0, 6), "cluster", "cluster-a",
                "type", "redis", "sharding", false, "shards_count", 1, "replication", false, "proxy_policy", "single"))
                .post("/v1/bdbs").then().statusCode(200).extract().jsonPath().getLong("uid");
        String before = snapshot();
        Object[][] refused = {
                {Map.of("tls_mod", "enabled"), "tls_mod: not a bdb field"},
                {Map.of("shards_count", 2), "shards_count: this suite supports only 1"},
                {Map.of("replication", true), "replication: this suite supports only false"},
                {Map.of("data_internode_encryption", true), "data_internode_encryption"},
                {Map.of("ssl", true), "use tls_mode"},
                {Map.of("status", "active-ish"), "status: read-only"},
                {Map.of("authentication_ssl_crdt_certs", List.of(Map.of("client_cert", "x"))), "authentication_ssl_crdt_certs: read-only"},
                {Map.of("replica_sources", List.of(Map.of("uri", "redis://far.example:6379", "compresion", 3))),
                        "replica_sources[0].compresion: not a replica source field"}};
        for (Object[] r : refused) {
            admin().body(r[0]).put("/v1/bdbs/" + uid).then().statusCode(406).body("error_code", equalTo("invalid_schema"))
                    .body("description", containsString((String) r[1]));
        }
        // a client certificate of the operator's choice for a source outside the suite: with its key, over TLS only; the key
        // goes to cert-service (none in this test: 503, nothing changes), a dry run validates without sending it
        String clientCert = TestCerts.valid("replica-client");
        Object[][] clientRefused = {
                {Map.of("uri", "redis://far.example:6379", "client_key", "k"), "client_key: a PEM private key, with client_cert"},
                {Map.of("uri", "redis://far.example:6379", "encryption", true, "server_cert", clientCert, "client_cert", clientCert),
                        "client_key is required with a new client_cert"},
                {Map.of("uri", "redis://far.example:6379", "client_cert", clientCert, "client_key", "k"), "set encryption true"}};
        for (Object[] r : clientRefused) {
            admin().body(Map.of("replica_sources", List.of(r[0]))).put("/v1/bdbs/" + uid).then().statusCode(406)
                    .body("error_code", equalTo("invalid_replica_source")).body("description", containsString((String) r[1]));
        }
        Map<String, Object> withKey = Map.of("uri", "redis://far.example:6379", "encryption", true, "server_cert", clientCert,
                "client_cert", clientCert, "client_key", "-----BEGIN PRIVATE KEY-----\nnot checked here\n-----END PRIVATE KEY-----\n");
        admin().body(Map.of("replica_sources", List.of(withKey))).put("/v1/bdbs/" + uid).then().statusCode(503)
                .body("description", containsString("client_key: no cert-service"));
        String dry = admin().body(Map.of("replica_sources", List.of(withKey))).put("/v1/bdbs/" + uid + "?dry_run").then().statusCode(200)
                .extract().asString();
        assertThat(dry).contains("client_cert").doesNotContain("PRIVATE KEY").doesNotContain("client_key");
        assertThat(snapshot()).isEqualTo(before);
        admin().body(Map.of("name", "x-" + UUID.randomUUID().toString().substring(0, 6), "cluster", "cluster-a", "status", "active"))
                .post("/v1/bdbs").then().statusCode(406).body("description", containsString("status: read-only"));
        // RE's bare ?dry_run validates and applies nothing; a value that is not a boolean is refused
        admin().body(Map.of("tls_mode", "enabled")).put("/v1/bdbs/" + uid + "?dry_run").then().statusCode(200)
                .body("tls_mode", equalTo("enabled"));
        admin().body(Map.of("tls_mode", "enabled")).put("/v1/bdbs/" + uid + "?dry_run=perhaps").then().statusCode(406)
                .body("description", containsString("dry_run"));
        admin().body(Map.of("name", "dry-" + UUID.randomUUID().toString().substring(0, 6), "cluster", "cluster-a"))
                .post("/v1/bdbs?dry_run").then().statusCode(200);
        assertThat(snapshot()).isEqualTo(before);
        // A script's GET-modify-PUT sends the whole object back: the read-only fields match, so it is taken
        String whole = admin().get("/v1/bdbs/" + uid).then().statusCode(200).extract().asString().replace("\"disabled\",\"enforce",
                "\"replica_ssl\",\"enforce");
        assertThat(whole).contains("\"tls_mode\":\"replica_ssl\"");
        admin().body(whole).put("/v1/bdbs/" + uid).then().statusCode(200).body("tls_mode", equalTo("replica_ssl"));
    }

    @Test
    void aNewBdbGetsAnEndpointPortItsOwnRedisAndTheDefaults() {
        Response r = admin().body(Map.of("name", "orders-" + UUID.randomUUID().toString().substring(0, 6), "cluster", "cluster-b",
                "memory_size", 1073741824)).post("/v1/bdbs");
        r.then().statusCode(200)
                .body("cluster", equalTo("cluster-b"))
                .body("generation", equalTo(1))
                .body("tls_mode", equalTo("disabled"))
                .body("enforce_client_authentication", equalTo("enabled"))
                .body("client_cert_subject_validation_type", equalTo("disabled"))
                .body("mtls_allow_outdated_certs", equalTo(false))
                .body("replica_sync", equalTo("disabled"))
                .body("eviction_policy", equalTo("volatile-lru"))
                .body("data_persistence", equalTo("disabled"))
                .body("status", equalTo("pending"))
                .body("endpoints", hasSize(1))
                .body("endpoints[0].dns_name", equalTo("127.0.0.1"));
        int port = r.jsonPath().getInt("port");
        assertThat(port).isBetween(12000, 12999);
        assertThat(r.jsonPath().getInt("endpoints[0].port")).isEqualTo(port);
        assertThat(r.jsonPath().getString("backend")).as("no pool: the cluster's syncer-service makes its Redis").isNull();
        long uid = r.jsonPath().getLong("uid");
        viewer().get("/v1/bdbs/" + uid).then().statusCode(200).body("uid", equalTo((int) uid));
    }

    @Test
    void aThirdAndAFiftiethBdbOnOneClusterNeedNoPool() {
        for (int i = 0; i < 50; i++) {
            create("cluster-c");
        }
    }

    @Test
    void evictionPolicyAndPersistenceAreREsFieldsWithREsDefaults() {
        long uid = create("cluster-a");
        admin().body("{\"eviction_policy\": \"allkeys-lru\", \"data_persistence\": \"aof\"}").put("/v1/bdbs/" + uid)
                .then().statusCode(200).body("eviction_policy", equalTo("allkeys-lru")).body("data_persistence", equalTo("aof"))
                .body("generation", equalTo(2));
        admin().body("{\"memory_size\": 2097152}").put("/v1/bdbs/" + uid)
                .then().statusCode(200).body("eviction_policy", equalTo("allkeys-lru")).body("memory_size", equalTo(2097152));
        String before = snapshot();
        admin().body("{\"eviction_policy\": \"lru\"}").put("/v1/bdbs/" + uid).then().statusCode(406).body("error_code", equalTo("invalid_value"));
        admin().body("{\"data_persistence\": \"rdb\"}").put("/v1/bdbs/" + uid).then().statusCode(406).body("error_code", equalTo("invalid_value"));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void theBdbStatusFollowsItsRedisAndShowsWhyItIsNotActive() {
        long uid = create("cluster-a");
        var syncers = new FakeSyncers(events.streams().publisher());
        admin().get("/v1/bdbs/" + uid).then().body("status", equalTo("pending"));
        syncers.shard("cluster-a", uid, 0, ShardState.FAILED, "redis-server exited at start with status 1", 0);
        org.awaitility.Awaitility.await().untilAsserted(() -> admin().get("/v1/bdbs/" + uid).then().body("status", equalTo("creation-failed"))
                .body("status_reason", equalTo("redis: redis-server exited at start with status 1")));
        syncers.shard("cluster-a", uid, 1, ShardState.RUNNING, null, 0);
        syncers.endpointStatus("cluster-a", uid, 1);
        org.awaitility.Awaitility.await().untilAsserted(() -> admin().get("/v1/bdbs/" + uid).then().body("status", equalTo("active"))
                .body("status_reason", equalTo(null)));
        syncers.shard("cluster-a", uid, 1, ShardState.RECOVERING, "redis-server (pid 7) exited", 1);
        org.awaitility.Awaitility.await().untilAsserted(() -> admin().get("/v1/bdbs/" + uid).then().body("status", equalTo("recovery"))
                .body("status_reason", equalTo("redis: redis-server (pid 7) exited")));
        syncers.shard("cluster-a", uid, 1, ShardState.RUNNING, null, 1);
        org.awaitility.Awaitility.await().untilAsserted(() -> admin().get("/v1/bdbs/" + uid).then().body("status", equalTo("active")));
        admin().body("{\"memory_size\": 2097152}").put("/v1/bdbs/" + uid).then().statusCode(200).body("status", equalTo("active-change-pending"));
    }

    @Test
    void maxConnectionsIsStoredAndRenderedAsRedisEnterpriseNamesIt() {
        long uid = create("cluster-a");
        admin().get("/v1/bdbs/" + uid).then().statusCode(200).body("max_connections", equalTo(0));
        admin().body("{\"max_connections\": 500}").put("/v1/bdbs/" + uid).then().statusCode(200).body("max_connections", equalTo(500));
        admin().body("{\"tls_mode\": \"enabled\"}").put("/v1/bdbs/" + uid).then().statusCode(200).body("max_connections", equalTo(500));
    }

    @Test
    void anExternalBackendMustBeReachableNobodyElsesAndFixed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path socket = dir.resolve("redis.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            String backend = "unix:" + socket;
            Response r = admin().body(Map.of("name", "ext-" + UUID.randomUUID().toString().substring(0, 6), "cluster", "cluster-c",
                    "backend", backend)).post("/v1/bdbs");
            r.then().statusCode(200).body("backend", equalTo(backend));
            long uid = r.jsonPath().getLong("uid");
            long own = create("cluster-c");
            String before = snapshot();
            admin().body(Map.of("name", "ext2-" + UUID.randomUUID().toString().substring(0, 6), "cluster", "cluster-c", "backend", backend))
                    .post("/v1/bdbs").then().statusCode(409).body("error_code", equalTo("backend_in_use"))
                    .body("description", org.hamcrest.Matchers.containsString("bdb " + uid));
            admin().body(Map.of("name", "ext3-" + UUID.randomUUID().toString().substring(0, 6), "cluster", "cluster-c",
                    "backend", "unix:" + dir.resolve("nothing.sock"))).post("/v1/bdbs")
                    .then().statusCode(406).body("error_code", equalTo("backend_unreachable"));
            admin().body(Map.of("backend", "unix:" + dir.resolve("other.sock"))).put("/v1/bdbs/" + uid)
                    .then().statusCode(406).body("error_code", equalTo("invalid_configuration"));
            admin().body(Map.of("backend", "127.0.0.1:6379")).put("/v1/bdbs/" + own)
                    .then().statusCode(406).body("error_code", equalTo("invalid_configuration"));
            assertThat(snapshot()).as("every refusal changed nothing").isEqualTo(before);
            admin().get("/v1/bdbs/" + uid).then().body("backend", equalTo(backend));
        }
    }

    @Test
    void theSeedsTwoBodiesWorkVerbatimAndBumpTheGeneration() {
        long uid = create("cluster-a");
        admin().body("{\"enforce_client_authentication\": \"disabled\", \"tls_mode\": \"replica_ssl\"}").put("/v1/bdbs/" + uid)
                .then().statusCode(200).body("tls_mode", equalTo("replica_ssl")).body("enforce_client_authentication", equalTo("disabled"))
                .body("generation", equalTo(2));
        admin().body("{\"enforce_client_authentication\": \"disabled\", \"tls_mode\": \"enabled\"}").put("/v1/bdbs/" + uid)
                .then().statusCode(200).body("tls_mode", equalTo("enabled")).body("generation", equalTo(3));
    }

    @Test
    void mutualTlsSettingsAreStoredAndDeprecatedAuthorizedNamesBecomeSubjects() {
        long uid = create("cluster-a");
        String client = TestCerts.valid("app");
        String ca = TestCerts.ca("client-ca");
        admin().body(Map.of("tls_mode", "enabled", "enforce_client_authentication", "enabled",
                "authentication_ssl_client_certs", List.of(Map.of("client_cert", client), Map.of("client_cert", ca)),
                "client_cert_subject_validation_type", "full_subject",
                "authorized_subjects", List.of(Map.of("CN", "app", "O", "Acme", "OU", List.of("ops", "dev"), "C", "FR")),
                "mtls_allow_outdated_certs", true, "mtls_allow_weak_hashing", false))
                .put("/v1/bdbs/" + uid).then().statusCode(200)
                .body("authentication_ssl_client_certs", hasSize(2))
                .body("authorized_subjects[0].OU", equalTo(List.of("ops", "dev")))
                .body("mtls_allow_outdated_certs", equalTo(true));
        admin().body(Map.of("client_cert_subject_validation_type", "san_cn", "authorized_names", List.of("app", "batch")))
                .put("/v1/bdbs/" + uid).then().statusCode(200)
                .body("authorized_subjects.CN", equalTo(List.of("app", "batch")))
                .body("authorized_names", equalTo(List.of("app", "batch")));
    }

    @Test
    void dryRunValidatesAndChangesNothing() {
        long uid = create("cluster-c");
        String before = snapshot();
        admin().queryParam("dry_run", true).body(Map.of("tls_mode", "enabled")).put("/v1/bdbs/" + uid).then().statusCode(200)
                .body("tls_mode", equalTo("enabled"));
        admin().queryParam("dry_run", true).body(Map.of("name", "never", "cluster", "cluster-c")).post("/v1/bdbs").then().statusCode(200);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void everyRefusalHasItsCodeAndChangesNothing() {
        long uid = create("cluster-a");
        long other = create("cluster-a");
        int otherPort = admin().get("/v1/bdbs/" + other).jsonPath().getInt("port");
        String before = snapshot();
        String valid = TestCerts.valid("dup");
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"{not json", 400, "malformed_request"});
        cases.add(new Object[] {"[1,2]", 400, "malformed_request"});
        cases.add(new Object[] {Map.of("tls_mode", "sometimes"), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("enforce_client_authentication", true), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("client_cert_subject_validation_type", "by_name"), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("mtls_allow_outdated_certs", "maybe"), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("port", 80), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("max_connections", -1), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("max_connections", "many"), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("port", otherPort), 409, "port_in_use"});
        cases.add(new Object[] {Map.of("backend", "redis-a-0"), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("backend", "unix:relative/redis.sock"), 406, "invalid_value"});
        cases.add(new Object[] {Map.of("authentication_ssl_client_certs", List.of(Map.of("client_cert", "garbage"))), 406,
                "invalid_certificate"});
        cases.add(new Object[] {Map.of("authentication_ssl_client_certs", List.of(Map.of("client_cert", TestCerts.expired("old")))), 406,
                "certificate_expired"});
        cases.add(new Object[] {Map.of("authentication_ssl_client_certs", List.of(Map.of("client_cert", valid), Map.of("client_cert", valid))),
                406, "duplicated_certs"});
        cases.add(new Object[] {Map.of("authorized_subjects", List.of(Map.of("O", "no cn"))), 406, "invalid_authorized_subjects"});
        cases.add(new Object[] {Map.of("authorized_subjects", List.of(Map.of("CN", "x", "C", "FRA"))), 406, "invalid_authorized_subjects"});
        cases.add(new Object[] {Map.of("client_cert_subject_validation_type", "san_cn", "authorized_subjects", List.of()), 406,
                "invalid_configuration"});
        cases.add(new Object[] {Map.of("replica_sources", List.of(Map.of("uri", "http://x:1"))), 406, "invalid_replica_source"});
        cases.add(new Object[] {Map.of("replica_sources", List.of(Map.of("uri", "redis://far.example:6379", "encryption", true))), 406,
                "missing_server_cert"});
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            many.add(Map.of("uri", "redis://far.example:" + (7000 + i)));
        }
        cases.add(new Object[] {Map.of("replica_sources", many), 406, "too_many_replica_sources"});
        cases.add(new Object[] {Map.of("replica_sources", List.of(Map.of("uri", "redis://far.example:6379", "compression", 9))), 406,
                "invalid_replica_source"});
        cases.add(new Object[] {Map.of("cluster", "cluster-b"), 406, "invalid_configuration"});
        for (Object[] c : cases) {
            var req = admin();
            req = c[0] instanceof String s ? req.body(s) : req.body(c[0]);
            req.put("/v1/bdbs/" + uid).then().statusCode((int) c[1]).body("error_code", equalTo(c[2]))
                    .body("description", org.hamcrest.Matchers.notNullValue()).body("message", org.hamcrest.Matchers.notNullValue());
        }
        admin().get("/v1/bdbs/999999").then().statusCode(404).body("error_code", equalTo("db_not_exist"));
        admin().body(Map.of("tls_mode", "enabled")).put("/v1/bdbs/999999").then().statusCode(404);
        admin().body(Map.of("name", "not a name")).post("/v1/bdbs").then().statusCode(406).body("error_code", equalTo("invalid_value"));
        admin().body(Map.of("name", "x", "cluster", "nowhere")).post("/v1/bdbs").then().statusCode(406).body("error_code",
                equalTo("unknown_cluster"));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void replicaOfCyclesAreRefused() {
        long a = create("cluster-a");
        long b = create("cluster-b");
        int portA = admin().get("/v1/bdbs/" + a).jsonPath().getInt("port");
        int portB = admin().get("/v1/bdbs/" + b).jsonPath().getInt("port");
        admin().body(Map.of("replica_sources", List.of(Map.of("uri", "redis://127.0.0.1:" + portA)))).put("/v1/bdbs/" + b)
                .then().statusCode(200).body("replica_sync", equalTo("enabled"));
        String before = snapshot();
        admin().body(Map.of("replica_sources", List.of(Map.of("uri", "redis://127.0.0.1:" + portB)))).put("/v1/bdbs/" + a)
                .then().statusCode(406).body("error_code", equalTo("replica_of_cycle"));
        admin().body(Map.of("replica_sources", List.of(Map.of("uri", "redis://127.0.0.1:" + portA)))).put("/v1/bdbs/" + a)
                .then().statusCode(406).body("error_code", equalTo("replica_of_cycle"));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Inject
    CoordinatorEvents events;

    @Test
    void aReplicaSourcesChannelStatusShowsInTheBdbAndAnUnrecoverableErrorStopsTheSync() {
        long src = create("cluster-a");
        int port = admin().get("/v1/bdbs/" + src).jsonPath().getInt("port");
        long dest = create("cluster-b");
        var put = admin().body(Map.of("replica_sources", List.of(Map.of("uri", "redis://127.0.0.1:" + port)))).put("/v1/bdbs/" + dest)
                .then().statusCode(200).extract().jsonPath();
        long generation = admin().get("/v1/bdbs/" + dest).jsonPath().getLong("generation");
        int sourceUid = put.getInt("replica_sources[0].uid");
        var syncers = new FakeSyncers(events.streams().publisher());
        syncers.replicaOf("cluster-b", dest, sourceUid, generation, SyncState.IN_SYNC, null, false);
        org.awaitility.Awaitility.await().untilAsserted(() -> admin().get("/v1/bdbs/" + dest).then()
                .body("replica_sources[0].status", equalTo("in-sync")).body("replica_sync", equalTo("enabled")));
        syncers.replicaOf("cluster-b", dest, sourceUid, generation, SyncState.OUT_OF_SYNC, "authentication refused by the source: WRONGPASS",
                true);
        org.awaitility.Awaitility.await().untilAsserted(() -> admin().get("/v1/bdbs/" + dest).then()
                .body("replica_sources[0].status", equalTo("out-of-sync"))
                .body("replica_sources[0].last_error", equalTo("authentication refused by the source: WRONGPASS"))
                .body("replica_sync", equalTo("stopped")));
    }

    @Test
    void deleteRemovesTheBdb() {
        long uid = create("cluster-c");
        viewer().delete("/v1/bdbs/" + uid).then().statusCode(403);
        admin().delete("/v1/bdbs/" + uid).then().statusCode(200);
        admin().get("/v1/bdbs/" + uid).then().statusCode(404);
        admin().delete("/v1/bdbs/" + uid).then().statusCode(404);
    }
}
