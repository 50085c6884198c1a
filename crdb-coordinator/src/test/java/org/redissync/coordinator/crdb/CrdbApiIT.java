package org.redissync.coordinator.crdb;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.TestCerts;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.events.SyncState;
import org.redissync.events.TlsMode;
import org.redissync.coordinator.ApiCertificateTestResource;
import org.redissync.testing.KafkaBrokerTestResource;

/** /v1/crdbs and /v1/crdb_tasks: instances, encryption, trust filled in, tasks that finish only when applied. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class CrdbApiIT {

    static final List<String> CLUSTERS = List.of("cluster-a", "cluster-b", "cluster-c");

    @Inject
    CoordinatorEvents events;

    /** The management interface's root ({@code /q/}): health, metrics and OpenAPI. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "/", management = true)
    java.net.URL management;

    static RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON);
    }

    static Map<String, Object> createBody(String name, boolean encryption) {
        return Map.of("name", name, "encryption", encryption, "default_db_config", Map.of("memory_size", 1 << 26),
                "instances", CLUSTERS.stream().map(c -> Map.of("cluster", Map.of("name", c, "url", "https://" + c + ":9443"))).toList());
    }

    JsonPath task(String id) {
        return admin().get("/v1/crdb_tasks/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** What the three syncer-services report once a CRDB generation is applied. */
    void reportApplied(String guid, long generation, boolean tls) {
        FakeSyncers syncers = new FakeSyncers(events.streams().publisher());
        JsonPath crdb = admin().get("/v1/crdbs/" + guid).jsonPath();
        for (int i = 0; i < CLUSTERS.size(); i++) {
            String to = crdb.getString("instances[" + i + "].cluster.name");
            long uid = crdb.getLong("instances[" + i + "].db_uid");
            JsonPath bdb = admin().get("/v1/bdbs/" + uid).jsonPath();
            syncers.endpoint(to, uid, bdb.getLong("generation"), TlsMode.valueOf(bdb.getString("tls_mode").toUpperCase()));
            for (String from : CLUSTERS) {
                if (!from.equals(to)) {
                    syncers.channel(guid, from, to, uid, generation, SyncState.IN_SYNC, tls);
                }
            }
        }
    }

    @Test
    void creatingMakesOneBdbPerClusterAndTheTaskFinishesOnlyWhenEveryClusterReportsIt() {
        var created = admin().header("X-Task-ID", "create-" + UUID.randomUUID()).body(createBody("orders", false)).post("/v1/crdbs")
                .then().statusCode(200).body("status", equalTo("queued")).body("operation", equalTo("create_crdb")).extract().jsonPath();
        String id = created.getString("id");
        assertThat(id).startsWith("create-");
        String guid = created.getString("crdb_guid");

        var crdb = admin().get("/v1/crdbs/" + guid).then().statusCode(200).body("instances", hasSize(3)).body("encryption", equalTo(false))
                .extract().jsonPath();
        for (int i = 0; i < 3; i++) {
            admin().get("/v1/bdbs/" + crdb.getLong("instances[" + i + "].db_uid")).then().statusCode(200)
                    .body("crdt", equalTo(true)).body("crdt_guid", equalTo(guid)).body("tls_mode", equalTo("disabled"))
                    .body("cluster", equalTo(crdb.getString("instances[" + i + "].cluster.name")));
        }
        assertThat(task(id).getString("status")).isEqualTo("started");
        reportApplied(guid, 1, false);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(task(id).getString("status")).isEqualTo("finished"));
        assertThat(task(id).getList("progress.clusters.progress")).containsOnly("done");
        admin().get("/v1/crdb_tasks").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
        // the coordinator's own metrics: tasks by state, and how long the ended ones took
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get(management + "metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("redissync_tasks{status=\"finished\"}"))
                .body(org.hamcrest.Matchers.containsString(
                        "redissync_task_duration_seconds_count{operation=\"create_crdb\",status=\"finished\"}")));
    }

    @Test
    void encryptionMakesEveryInstanceReplicaSslAndFinishesOnlyOnceEveryChannelIsTls() {
        String guid = admin().body(createBody("enc", false)).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        reportApplied(guid, 1, false);
        String id = admin().body(Map.of("encryption", true)).patch("/v1/crdbs/" + guid).then().statusCode(200)
                .body("operation", equalTo("update_crdb")).extract().path("id");
        var crdb = admin().get("/v1/crdbs/" + guid).then().body("encryption", equalTo(true)).body("generation", equalTo(2)).extract().jsonPath();
        for (int i = 0; i < 3; i++) {
            admin().get("/v1/bdbs/" + crdb.getLong("instances[" + i + "].db_uid")).then().body("tls_mode", equalTo("replica_ssl"));
        }
        reportApplied(guid, 2, false);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(task(id).getString("status")).isEqualTo("started"));
        assertThat(task(id).getList("progress.clusters.progress").toString()).contains("is plaintext, expected TLS");
        reportApplied(guid, 2, true);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(task(id).getString("status")).isEqualTo("finished"));
        // The CRDB shows every channel as its syncer-service reports it.
        var channels = admin().get("/v1/crdbs/" + guid).jsonPath();
        assertThat(channels.getList("channels")).hasSize(6);
        assertThat(channels.getList("channels.status")).containsOnly("in-sync");
        assertThat(channels.getList("channels.tls.enabled")).containsOnly(true);
        assertThat(channels.getList("channels.tls.protocol")).containsOnly("TLSv1.3");
        assertThat(channels.getList("channels.observed_generation")).containsOnly(2);

        // And off again: instances go back to disabled.
        admin().body(Map.of("crdb", Map.of("encryption", false), "force_update", true)).post("/v1/crdbs/" + guid + "/updates")
                .then().statusCode(200);
        admin().get("/v1/bdbs/" + crdb.getLong("instances[0].db_uid")).then().body("tls_mode", equalTo("disabled"));
    }

    @Test
    void theSeedsRestPathPutsAnInstancesChannelsOnTlsAndTheCrdbsEncryptionFollowsItsInstances() {
        String guid = admin().body(createBody("seed-rest", false)).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        reportApplied(guid, 1, false);
        JsonPath crdb = admin().get("/v1/crdbs/" + guid).jsonPath();
        Map<String, Long> uids = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            uids.put(crdb.getString("instances[" + i + "].cluster.name"), crdb.getLong("instances[" + i + "].db_uid"));
        }
        long a = uids.get("cluster-a");
        // The seed's body, verbatim, to one instance: the CRDB is not encrypted yet (two instances are still disabled).
        long gen = admin().body("{\"enforce_client_authentication\": \"disabled\", \"tls_mode\": \"replica_ssl\"}").put("/v1/bdbs/" + a)
                .then().statusCode(200).body("tls_mode", equalTo("replica_ssl")).extract().jsonPath().getLong("generation");
        admin().get("/v1/crdbs/" + guid).then().body("encryption", equalTo(false)).body("generation", equalTo(1));
        // Its endpoint applied the change, but the channels that pull from it are still plaintext: not active yet.
        FakeSyncers syncers = new FakeSyncers(events.streams().publisher());
        syncers.endpoint("cluster-a", a, gen, TlsMode.REPLICA_SSL);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/v1/bdbs/" + a).then()
                .body("status", equalTo("active-change-pending"))
                .body("status_reason", containsString("channel cluster-a -> cluster-b is plaintext, expected TLS")));
        for (String to : List.of("cluster-b", "cluster-c")) {
            syncers.channel(guid, "cluster-a", to, uids.get(to), 1, SyncState.IN_SYNC, true);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/v1/bdbs/" + a).then().body("status", equalTo("active")));
        // Channels between b and c stay plaintext: nothing expects them on TLS.
        admin().get("/v1/bdbs/" + uids.get("cluster-b")).then().body("tls_mode", equalTo("disabled"));

        // The same PUT to the other two: every instance is at least replica_ssl, so the CRDB reads encrypted.
        for (String c : List.of("cluster-b", "cluster-c")) {
            admin().body("{\"enforce_client_authentication\": \"disabled\", \"tls_mode\": \"replica_ssl\"}").put("/v1/bdbs/" + uids.get(c))
                    .then().statusCode(200);
        }
        admin().get("/v1/crdbs/" + guid).then().body("encryption", equalTo(true)).body("generation", equalTo(2));
        // And "enabled" (TLS for clients too) keeps it so; "disabled" on one instance makes it plaintext again.
        admin().body("{\"tls_mode\": \"enabled\"}").put("/v1/bdbs/" + a).then().statusCode(200).body("tls_mode", equalTo("enabled"));
        admin().get("/v1/crdbs/" + guid).then().body("encryption", equalTo(true)).body("generation", equalTo(2));
        admin().body("{\"tls_mode\": \"disabled\"}").put("/v1/bdbs/" + uids.get("cluster-c")).then().statusCode(200);
        admin().get("/v1/crdbs/" + guid).then().body("encryption", equalTo(false)).body("generation", equalTo(3));
    }

    @Test
    void fieldsThisSuiteDoesNotSupportAreRefusedByNameAndBareDryRunAppliesNothing() {
        String guid = admin().body(createBody("strict", false)).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        String before = admin().get("/v1/crdbs/" + guid).asString();
        Map<String, Object> typo = new java.util.HashMap<>(createBody("typo", false));
        typo.put("encrypton", true);
        admin().body(typo).post("/v1/crdbs").then().statusCode(406).body("error_code", equalTo("invalid_schema"))
                .body("description", containsString("encrypton"));
        Map<String, Object> sharded = new java.util.HashMap<>(createBody("sharded", false));
        sharded.put("default_db_config", Map.of("shards_count", 3));
        admin().body(sharded).post("/v1/crdbs").then().statusCode(406).body("description", containsString("default_db_config.shards_count"));
        admin().body(Map.of("default_db_config", Map.of("data_persistence", "aof"))).patch("/v1/crdbs/" + guid).then().statusCode(406)
                .body("description", containsString("default_db_config.data_persistence"));
        admin().body(Map.of("crdb", Map.of("add_instances", List.of(Map.of("cluster", Map.of("name", "cluster-d"))))))
                .post("/v1/crdbs/" + guid + "/updates").then().statusCode(406).body("description", containsString("add_instances: not a field"));
        admin().body(Map.of("crdb", Map.of("encryption", true), "force", true)).post("/v1/crdbs/" + guid + "/updates").then().statusCode(406)
                .body("description", containsString("force"));
        admin().body(Map.of("encryption", true)).patch("/v1/crdbs/" + guid + "?dry_run").then().statusCode(200);
        assertThat(admin().get("/v1/crdbs/" + guid).asString()).isEqualTo(before);
        assertThat(admin().get("/v1/crdbs").asString()).doesNotContain("\"typo\"").doesNotContain("\"sharded\"");
    }

    static Map<String, Object> twoClusterBody(String name) {
        return Map.of("name", name, "default_db_config", Map.of("memory_size", 1 << 26),
                "instances", List.of(Map.of("cluster", Map.of("name", "cluster-a")), Map.of("cluster", Map.of("name", "cluster-b"))));
    }

    /** Every instance of the CRDB (as it is now) reports {@code generation} applied, channels between all of them in sync. */
    void reportAppliedNow(String guid, long generation) {
        FakeSyncers syncers = new FakeSyncers(events.streams().publisher());
        JsonPath crdb = admin().get("/v1/crdbs/" + guid).jsonPath();
        List<String> clusters = crdb.getList("instances.cluster.name");
        for (int i = 0; i < clusters.size(); i++) {
            long uid = crdb.getLong("instances[" + i + "].db_uid");
            syncers.endpoint(clusters.get(i), uid, admin().get("/v1/bdbs/" + uid).jsonPath().getLong("generation"), TlsMode.DISABLED);
            for (String from : clusters) {
                if (!from.equals(clusters.get(i))) {
                    syncers.channel(guid, from, clusters.get(i), uid, generation, SyncState.IN_SYNC, false);
                }
            }
        }
    }

    @Test
    void anAddedInstanceJoinsInTwoStepsAndTheTaskFinishesOnlyOnceItIsActiveEverywhere() {
        String guid = admin().body(twoClusterBody("joiner")).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        reportAppliedNow(guid, 1);
        String id = admin().body(Map.of("add_instances", List.of(Map.of("cluster", Map.of("name", "cluster-c"), "compression", 2))))
                .post("/v1/crdbs/" + guid + "/updates").then().statusCode(200).body("operation", equalTo("update_crdb")).extract().path("id");
        JsonPath crdb = admin().get("/v1/crdbs/" + guid).then().body("instances", hasSize(3)).body("generation", equalTo(2))
                .body("instances[2].id", equalTo(3)).body("instances[2].cluster.name", equalTo("cluster-c"))
                .body("instances[2].membership", equalTo("joining")).body("instances[2].compression", equalTo(2)).extract().jsonPath();
        long uid = crdb.getLong("instances[2].db_uid");
        admin().get("/v1/bdbs/" + uid).then().statusCode(200).body("cluster", equalTo("cluster-c")).body("crdt_guid", equalTo(guid))
                .body("memory_size", equalTo(1 << 26));
        // busy meanwhile: no other change of this CRDB or its instances
        admin().body(Map.of("encryption", true)).patch("/v1/crdbs/" + guid).then().statusCode(409).body("error_code", equalTo("busy"))
                .body("description", containsString("joining"));
        admin().body(Map.of("memory_size", 1 << 27)).put("/v1/bdbs/" + uid).then().statusCode(409);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(task(id).getString("status")).isEqualTo("started"));
        assertThat(task(id).getList("progress.clusters.progress").toString()).contains("joining");

        reportAppliedNow(guid, 2); // the first step applied: the coordinator makes cluster-c active (generation 3)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/v1/crdbs/" + guid).then().body("generation", equalTo(3))
                .body("instances[2].membership", org.hamcrest.Matchers.nullValue()));
        assertThat(task(id).getString("status")).isEqualTo("started");
        reportAppliedNow(guid, 3);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(task(id).getString("status")).isEqualTo("finished"));

        // refused, and nothing changes
        String before = admin().get("/v1/crdbs/" + guid).asString();
        admin().body(Map.of("add_instances", List.of(Map.of("cluster", Map.of("name", "cluster-b"))))).post("/v1/crdbs/" + guid + "/updates")
                .then().statusCode(406).body("description", containsString("cluster-b already has an instance"));
        admin().body(Map.of("add_instances", List.of(Map.of("cluster", Map.of("name", "cluster-x"))))).post("/v1/crdbs/" + guid + "/updates")
                .then().statusCode(406).body("error_code", equalTo("unknown_cluster"));
        admin().body(Map.of("remove_instances", List.of(9))).post("/v1/crdbs/" + guid + "/updates").then().statusCode(404)
                .body("error_code", equalTo("crdb_instance_not_exist")).body("description", containsString("no instance 9"));
        // RE's dry_run on /updates validates and changes nothing
        admin().body(Map.of("remove_instances", List.of(1))).post("/v1/crdbs/" + guid + "/updates?dry_run").then().statusCode(200);
        admin().body(Map.of("crdb", Map.of("encryption", true))).post("/v1/crdbs/" + guid + "/updates?dry_run=true").then().statusCode(200);
        admin().body(Map.of("add_instances", List.of(Map.of("cluster", "cluster-a")))).post("/v1/crdbs/" + guid + "/updates?dry_run")
                .then().statusCode(406);
        admin().body(Map.of("remove_instances", List.of(1, 2, 3))).post("/v1/crdbs/" + guid + "/updates").then().statusCode(406)
                .body("description", containsString("delete the CRDB instead"));
        admin().body(Map.of("remove_instances", List.of(1), "add_instances", List.of(Map.of("cluster", "cluster-b"))))
                .post("/v1/crdbs/" + guid + "/updates").then().statusCode(406).body("description", containsString("goes alone"));
        admin().body(Map.of("remove_instances", List.of(1), "crdb", Map.of("encryption", true)))
                .post("/v1/crdbs/" + guid + "/updates").then().statusCode(406).body("description", containsString("[crdb]"));
        admin().body(Map.of("remove_instances", List.of("one"))).post("/v1/crdbs/" + guid + "/updates").then().statusCode(406);
        admin().body(Map.of("add_instances", List.of(Map.of("cluster", Map.of("name", "cluster-c"), "colour", "red"))))
                .post("/v1/crdbs/" + guid + "/updates").then().statusCode(406).body("description", containsString("add_instances[0].colour"));
        assertThat(admin().get("/v1/crdbs/" + guid).asString()).isEqualTo(before);
        // crdb-cli crdb update --eviction-policy: every instance, the added one too
        admin().body(Map.of("default_db_config", Map.of("eviction_policy", "allkeys-lru"))).patch("/v1/crdbs/" + guid).then().statusCode(200);
        admin().get("/v1/bdbs/" + uid).then().body("eviction_policy", equalTo("allkeys-lru"));
    }

    @Test
    void oneCrdbPortOnClustersSharingAHostIsRefusedAtOnce() {
        // the test clusters' endpoints are all on 127.0.0.1, as in the local suite: RE's --port 12000 cannot be on both
        Map<String, Object> body = new java.util.HashMap<>(twoClusterBody("fixed-port"));
        body.put("default_db_config", Map.of("memory_size", 1 << 26, "port", org.redissync.testing.FreePorts.next()));
        admin().body(body).post("/v1/crdbs").then().statusCode(409).body("error_code", equalTo("port_in_use"))
                .body("description", containsString("same host (127.0.0.1)"));
        assertThat(admin().get("/v1/crdbs").asString()).doesNotContain("fixed-port");
    }

    @Test
    void aRemovedInstanceIsDrainedBeforeItGoes() {
        String guid = admin().body(createBody("leaver", false)).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        reportAppliedNow(guid, 1);
        JsonPath crdb = admin().get("/v1/crdbs/" + guid).jsonPath();
        int bIndex = crdb.getList("instances.cluster.name").indexOf("cluster-b");
        int bId = crdb.getInt("instances[" + bIndex + "].id");
        long bUid = crdb.getLong("instances[" + bIndex + "].db_uid");
        String id = admin().body(Map.of("remove_instances", List.of(bId))).post("/v1/crdbs/" + guid + "/updates").then().statusCode(200)
                .extract().path("id");
        admin().get("/v1/crdbs/" + guid).then().body("generation", equalTo(2)).body("instances[" + bIndex + "].membership", equalTo("leaving"));
        FakeSyncers syncers = new FakeSyncers(events.streams().publisher());
        syncers.writesPaused("cluster-b", bUid, 1, 2, "r1", 500);
        long aUid = crdb.getLong("instances[" + crdb.getList("instances.cluster.name").indexOf("cluster-a") + "].db_uid");
        long cUid = crdb.getLong("instances[" + crdb.getList("instances.cluster.name").indexOf("cluster-c") + "].db_uid");
        syncers.draining(guid, "cluster-b", "cluster-a", aUid, 2, "r1", 500);
        syncers.draining(guid, "cluster-b", "cluster-c", cUid, 2, "r1", 499); // one byte short: not drained
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                admin().get("/v1/crdbs/" + guid).then().body("generation", equalTo(2)));
        assertThat(task(id).getList("progress.clusters.progress").toString()).contains("draining the channel from cluster-b (leaving): "
                + "applied to r1 499 of r1 500");
        syncers.draining(guid, "cluster-b", "cluster-c", cUid, 2, "r1", 514);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/v1/crdbs/" + guid).then().body("generation", equalTo(3))
                .body("instances", hasSize(2)).body("instances.cluster.name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("cluster-b"))));
        admin().get("/v1/bdbs/" + bUid).then().statusCode(404);
        reportAppliedNow(guid, 3);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(task(id).getString("status")).isEqualTo("finished"));

        // forced: at once
        int cId = admin().get("/v1/crdbs/" + guid).jsonPath().getInt("instances.find { it.cluster.name == 'cluster-c' }.id");
        admin().body(Map.of("remove_instances", List.of(Map.of("id", cId, "force_remove", true)))).post("/v1/crdbs/" + guid + "/updates")
                .then().statusCode(200);
        admin().get("/v1/crdbs/" + guid).then().body("generation", equalTo(4)).body("instances", hasSize(1));
        admin().get("/v1/bdbs/" + cUid).then().statusCode(404);
    }

    @Test
    void aSyncerServiceThatStopsReportingIsShownAsSuchNotAsInSync() {
        String guid = admin().body(createBody("silent", false)).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        FakeSyncers syncers = new FakeSyncers(events.streams().publisher());
        for (String c : CLUSTERS) {
            syncers.heartbeat(c, Instant.now());
        }
        reportApplied(guid, 1, false);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin().get("/v1/crdbs/" + guid).jsonPath()
                .getList("channels.status")).containsOnly("in-sync"));
        assertThat(admin().get("/v1/crdbs/" + guid).jsonPath().getList("channels.last_update")).doesNotContainNull();
        // cluster-b last said it was alive 30 s ago (15 heartbeats of 2 s missed): what it reported is not current
        syncers.heartbeat("cluster-b", Instant.now().minusSeconds(30));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath c = admin().get("/v1/crdbs/" + guid).jsonPath();
            for (int i = 0; i < 6; i++) {
                boolean intoB = "cluster-b".equals(c.getString("channels[" + i + "].to"));
                assertThat(c.getString("channels[" + i + "].status")).isEqualTo(intoB ? "unknown" : "in-sync");
                if (intoB) {
                    assertThat(c.getString("channels[" + i + "].last_error"))
                            .contains("the syncer-service of cluster-b has not reported for 3").contains(" s (since ");
                }
            }
        });
        // and a task that waits on it says so
        String task = admin().body(Map.of("encryption", true)).patch("/v1/crdbs/" + guid).jsonPath().getString("id");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(task(task).getList("progress.clusters.progress").toString())
                .contains("the syncer-service of cluster-b has not reported"));
        syncers.heartbeat("cluster-b", Instant.now());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(task(task).getList("progress.clusters.progress").toString())
                .doesNotContain("has not reported"));
    }

    @Test
    void aCrdbCreatedWithEveryInstanceOnTlsIsEncrypted() {
        Map<String, Object> body = new java.util.HashMap<>(createBody("created-tls", false));
        body.put("default_db_config", Map.of("memory_size", 1 << 26, "tls_mode", "replica_ssl"));
        String guid = admin().body(body).post("/v1/crdbs").then().statusCode(200).extract().jsonPath().getString("crdb_guid");
        admin().get("/v1/crdbs/" + guid).then().body("encryption", equalTo(true));
    }

    @Test
    void aTaskNobodyAppliesFailsAfterTheTimeoutNamingEachClusterAndWhy() {
        String id = admin().body(createBody("late", true)).post("/v1/crdbs").jsonPath().getString("id");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(task(id).getString("status")).isEqualTo("failed"));
        JsonPath t = task(id);
        assertThat(t.getList("errors.cluster_name")).containsExactlyInAnyOrderElementsOf(CLUSTERS);
        assertThat(t.getList("errors.error_code")).containsOnly("timeout");
        assertThat(t.getString("errors[0].description")).contains("syncer-service");
        assertThat(t.getString("ended")).isNotNull();
    }

    @Test
    void peersSyncerCertificatesAreTrustedByEveryInstanceWithoutAnyCopying() throws Exception {
        String guid = admin().body(createBody("trust", true)).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        Map<String, String> pems = new java.util.HashMap<>();
        for (String c : CLUSTERS) {
            String pem = TestCerts.valid("syncer." + c);
            pems.put(c, pem);
            var cert = new PublishedCertificate(pem, "FP-" + c + "-" + guid, "CN=syncer." + c, "01", Instant.now(), Instant.now().plusSeconds(3600), null);
            events.streams().publisher().publish(new RoleCertificatesPublished(RoleCertificatesPublished.VERSION, c, CertRole.SYNCER, 1, cert,
                    List.of(cert), false, 0, Instant.now())).get();
        }
        var crdb = admin().get("/v1/crdbs/" + guid).jsonPath();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                admin().get("/v1/bdbs/" + crdb.getLong("instances[" + i + "].db_uid")).then()
                        .body("authentication_ssl_crdt_certs", hasSize(2));
            }
        });

        // an instance removed: the others stop trusting its syncer in the same transaction, so the answer shows it
        int c = crdb.getList("instances.cluster.name").indexOf("cluster-c");
        admin().body(Map.of("remove_instances", List.of(Map.of("id", crdb.getInt("instances[" + c + "].id"), "force_remove", true))))
                .post("/v1/crdbs/" + guid + "/updates").then().statusCode(200);
        for (int i = 0; i < 3; i++) {
            if (i != c) {
                String other = crdb.getString("instances[" + (3 - c - i) + "].cluster.name"); // the one that stays beside it
                List<String> trusted = admin().get("/v1/bdbs/" + crdb.getLong("instances[" + i + "].db_uid")).jsonPath()
                        .getList("authentication_ssl_crdt_certs.client_cert");
                assertThat(trusted).extracting(String::strip).containsExactly(pems.get(other).strip());
            }
        }
    }

    @Test
    void deleteRemovesTheInstancesAndCancelStopsAPendingTask() {
        String guid = admin().body(createBody("gone", false)).post("/v1/crdbs").jsonPath().getString("crdb_guid");
        long uid = admin().get("/v1/crdbs/" + guid).jsonPath().getLong("instances[0].db_uid");
        String del = admin().delete("/v1/crdbs/" + guid).then().statusCode(200).body("operation", equalTo("delete_crdb")).extract().path("id");
        admin().get("/v1/crdbs/" + guid).then().statusCode(404).body("error_code", equalTo("crdb_not_exist"));
        admin().get("/v1/bdbs/" + uid).then().statusCode(404);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(task(del).getString("status")).isEqualTo("finished"));

        String pending = admin().body(createBody("cancel-me", false)).post("/v1/crdbs").jsonPath().getString("id");
        admin().post("/v1/crdb_tasks/" + pending + "/actions/cancel").then().statusCode(200).body("status", equalTo("failed"))
                .body("errors[0].error_code", equalTo("cancelled"));
        admin().post("/v1/crdb_tasks/" + pending + "/actions/cancel").then().statusCode(409);
        admin().get("/v1/crdb_tasks/nope").then().statusCode(404);
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        String before = admin().get("/v1/crdbs").asString() + admin().get("/v1/bdbs").asString();
        admin().body("{").post("/v1/crdbs").then().statusCode(400).body("error_code", equalTo("malformed_request"));
        admin().body(Map.of("name", "x", "instances", List.of())).post("/v1/crdbs").then().statusCode(406);
        admin().body(Map.of("name", "x", "instances", List.of(Map.of("cluster", Map.of("name", "mars"))))).post("/v1/crdbs")
                .then().statusCode(406).body("error_code", equalTo("unknown_cluster"));
        admin().body(Map.of("name", "x", "instances", List.of(Map.of("cluster", Map.of("name", "cluster-a")),
                Map.of("cluster", Map.of("name", "cluster-a"))))).post("/v1/crdbs").then().statusCode(406);
        admin().body(Map.of("name", "x", "encryption", "perhaps", "instances", List.of(Map.of("cluster", Map.of("name", "cluster-a")))))
                .post("/v1/crdbs").then().statusCode(406);
        for (String endpoint : List.of("cluster-b", "unix:/var/run/redis.sock", "fd00::1:12000", "host:99999")) {
            admin().body(Map.of("name", "x", "instances", List.of(Map.of("cluster", Map.of("name", "cluster-a", "replication_endpoint", endpoint)))))
                    .post("/v1/crdbs").then().statusCode(406).body("error_code", equalTo("invalid_value"))
                    .body("description", containsString("replication_endpoint"));
        }
        admin().body(Map.of("encryption", true)).patch("/v1/crdbs/does-not-exist").then().statusCode(404);
        admin().queryParam("dry_run", true).body(createBody("dry", true)).post("/v1/crdbs").then().statusCode(200);
        given().auth().preemptive().basic("viewer", "test-viewer-password").contentType(ContentType.JSON).body(createBody("v", false))
                .post("/v1/crdbs").then().statusCode(403);
        assertThat(admin().get("/v1/crdbs").asString() + admin().get("/v1/bdbs").asString()).isEqualTo(before);
    }
}
