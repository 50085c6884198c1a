package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Cluster Manager UI (issue 20, docs/ui.md) in a real browser: Debian's chromium driven by chromedriver, against a
 * local suite. Each of the seed's procedures is done by clicking, as its page says, then checked by its real effect
 * (redis-cli over TLS, client certificates accepted or refused, the API refusing a viewer). Screenshots of every page
 * go to {@code target/ui-screenshots/}; with {@code -Dui.screenshots=docs} to {@code docs/ui/} (docs/ui.md shows them),
 * so a test run leaves the tree as it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedSuite.class)
@Order(3)
class ClusterManagerUiIT {

    static SuiteProcess suite;
    static String url;
    static Path pki;
    static WebDriver browser;
    static Path shots;

    @BeforeAll
    static void up() throws Exception {
        suite = SharedSuite.suite();
        url = suite.description().at("/api/url").asText() + "/ui/";
        pki = Files.createDirectories(suite.home.resolve("ui-pki"));
        shots = Files.createDirectories("docs".equals(System.getProperty("ui.screenshots"))
                ? suite.repo.resolve("docs/ui") : Path.of("target", "ui-screenshots").toAbsolutePath());
        // the client PKI of the mutual TLS procedure, made now: a CA, a client it signed whose subject is authorized,
        // and one whose subject is not
        ReDocExamplesIT.openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "3", "-subj", "/CN=clients CA/O=Example");
        client("good", "/C=US/ST=CA/L=Mountain View/O=Example/OU=payments/OU=web/CN=app.example.com");
        client("bad", "/C=US/ST=CA/L=Mountain View/O=Example/OU=marketing/CN=app.example.com");
    }

    static void client(String name, String subject) throws Exception {
        ReDocExamplesIT.openssl(pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", subject);
        Files.writeString(pki.resolve("client.ext"), "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
        ReDocExamplesIT.openssl(pki, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", "client.ext");
    }

    /** The operator's proxy certificate uploaded for cluster-a (order 8) is rotated back to one of the suite's CA. */
    @AfterAll
    static void giveBackTheCertificates() throws Exception {
        SharedSuite.restoreCaCertificates(suite, "cluster-a");
    }

    @BeforeEach
    void openBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // The API's certificate is signed by the suite's CA, which this throwaway browser profile does not hold: the
        // browser's trust store is not what is tested here (LocalSuiteIT and ApiHttpsIT check the API's TLS).
        options.setAcceptInsecureCerts(true);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + suite.home.resolve("chromium-" + System.nanoTime()));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    // ------------------------------------------------------------------------------------------------ procedures

    @Test
    @Order(1)
    void createADatabaseThenTurnOnTlsFromItsSecurityTab() throws Exception {
        signIn("admin", password("password_file"));
        shot("databases");
        click(By.id("create-database"));
        type(By.id("db-name"), "ui-app");
        shot("create-database");
        assertEveryControlIsLabelled();
        click(By.id("create"));
        wait(ExpectedConditions.presenceOfElementLocated(By.id("tab-security")));
        long uid = uid("ui-app");
        await().atMost(Duration.ofSeconds(60)).until(() -> "active".equals(suite.api("GET", "/v1/bdbs/" + uid, null).get("status").asText()));
        shot("database-configuration");

        // seed: "From your database's Security tab, select Edit", TLS On, "Apply TLS for: Clients and databases +
        // Between databases", Save
        click(By.id("tab-security"));
        click(By.id("edit-security"));
        click(By.id("tls-on"));
        new Select(find(By.id("apply-tls-for"))).selectByVisibleText("Clients and databases + Between databases");
        shot("security-edit-tls");
        click(By.id("save-security"));
        wait(ExpectedConditions.textToBePresentInElementLocated(By.id("security-view"), "Clients and databases + Between databases"));
        assertThat(find(By.cssSelector("main .banner.ok")).getText()).startsWith("Saved.");
        shot("security-tls-on");

        JsonNode b = suite.api("GET", "/v1/bdbs/" + uid, null);
        assertThat(b.get("tls_mode").asText()).isEqualTo("enabled");
        int port = b.at("/endpoints/0/port").asInt();
        String proxyCert = proxyCert();
        // the seed: redis-cli --tls --cacert proxy_cert.pem works, plaintext is refused
        await().atMost(Duration.ofSeconds(30)).until(() -> redisCli("-p", "" + port, "--tls", "--cacert", proxyCert, "PING").equals("PONG"));
        assertThat(redisCli("-p", "" + port, "PING")).isNotEqualTo("PONG");
    }

    @Test
    @Order(2)
    void mutualTlsWithAFullSubjectNameAcceptsTheMatchingClientOnly() throws Exception {
        long uid = uid("ui-app");
        int port = suite.api("GET", "/v1/bdbs/" + uid, null).at("/endpoints/0/port").asInt();
        signIn("admin", password("password_file"));
        browser.get(url + "#/databases/" + uid + "/security");
        click(By.id("edit-security"));
        // seed: Mutual TLS (Client authentication), "+ Add certificate" (paste, Done), Enforce client authentication,
        // Additional certificate validations: "By full Subject Name", "+ Add validation" with CN, O, OU (several), L, ST, C
        click(By.id("mtls"));
        click(By.id("add-cert"));
        find(By.id("new-cert-pem")).sendKeys(Files.readString(pki.resolve("ca.pem")));
        click(By.id("add-cert-confirm"));
        wait(ExpectedConditions.textToBePresentInElementLocated(By.id("cert-list"), "CN=clients CA"));
        assertThat(find(By.id("cert-list")).getText()).contains("CA chain");
        if (!find(By.id("enforce-client-auth")).isSelected()) {
            click(By.id("enforce-client-auth"));
        }
        click(By.id("validation-full"));
        click(By.id("add-subject"));
        type(By.id("subject-0-CN"), "app.example.com");
        type(By.id("subject-0-O"), "Example");
        type(By.id("subject-0-OU"), "payments, web");
        type(By.id("subject-0-L"), "Mountain View");
        type(By.id("subject-0-ST"), "CA");
        // first a country the API refuses: its error shows next to the subject, in the page
        type(By.id("subject-0-C"), "USA");
        click(By.id("save-security"));
        wait(ExpectedConditions.textToBePresentInElementLocated(By.id("err-authorized_subjects-0"), "two-letter"));
        shot("security-field-error");
        assertThat(suite.api("GET", "/v1/bdbs/" + uid, null).get("authentication_ssl_client_certs")).as("nothing changed").isEmpty();
        find(By.id("subject-0-C")).clear();
        type(By.id("subject-0-C"), "US");
        shot("security-edit-mtls");
        assertEveryControlIsLabelled();
        click(By.id("save-security"));
        wait(ExpectedConditions.textToBePresentInElementLocated(By.id("security-view"), "By full Subject Name"));
        shot("security-mtls-on");

        JsonNode b = suite.api("GET", "/v1/bdbs/" + uid, null);
        assertThat(b.get("client_cert_subject_validation_type").asText()).isEqualTo("full_subject");
        assertThat(b.get("enforce_client_authentication").asText()).isEqualTo("enabled");
        String proxyCert = proxyCert();
        await().atMost(Duration.ofSeconds(30)).until(() -> redisCli("-p", "" + port, "--tls", "--cacert", proxyCert,
                "--cert", pki.resolve("good.pem").toString(), "--key", pki.resolve("good.key").toString(), "PING").equals("PONG"));
        assertThat(redisCli("-p", "" + port, "--tls", "--cacert", proxyCert, "--cert", pki.resolve("bad.pem").toString(),
                "--key", pki.resolve("bad.key").toString(), "PING")).as("a subject not authorized").isNotEqualTo("PONG");
        assertThat(redisCli("-p", "" + port, "--tls", "--cacert", proxyCert, "PING")).as("no client certificate").isNotEqualTo("PONG");
    }

    @Test
    @Order(3)
    void aViewerSeesNoEditButtonsAndTheApiRefusesItsWrites() throws Exception {
        long uid = uid("ui-app");
        signIn("viewer", password("viewer_password_file"));
        assertThat(browser.findElements(By.id("create-database"))).isEmpty();
        browser.get(url + "#/databases/" + uid + "/security");
        wait(ExpectedConditions.presenceOfElementLocated(By.id("security-view")));
        assertThat(browser.findElements(By.id("edit-security"))).isEmpty();
        assertThat(browser.findElement(By.id("who")).getText()).contains("viewer");
        shot("security-viewer");
        click(By.cssSelector("a[data-nav=cluster]"));
        wait(ExpectedConditions.presenceOfElementLocated(By.id("expiry-timeline")));
        assertThat(browser.findElements(By.xpath("//button[text()='Rotate' or text()='Upload']"))).as("no Rotate or Upload").isEmpty();
        // the same write the Edit form would send, by hand with the viewer's credentials
        HttpResponse<String> r = http("viewer", password("viewer_password_file"), "PUT", "/v1/bdbs/" + uid, "{\"tls_mode\": \"disabled\"}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("\"error_code\":\"forbidden\"");
        assertThat(suite.api("GET", "/v1/bdbs/" + uid, null).get("tls_mode").asText()).isEqualTo("enabled");
    }

    @Test
    @Order(4)
    void signingInWorksFromTheKeyboardAlone() throws Exception {
        browser.get(url + "#/login");
        wait(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        // the user name field has the focus; Tab goes to the password, Enter signs in
        org.openqa.selenium.interactions.Actions keys = new org.openqa.selenium.interactions.Actions(browser);
        keys.sendKeys("admin").sendKeys(org.openqa.selenium.Keys.TAB).sendKeys(password("password_file"))
                .sendKeys(org.openqa.selenium.Keys.ENTER).perform();
        wait(ExpectedConditions.presenceOfElementLocated(By.id("databases")));
        // Tab reaches the database's link, Enter opens it
        for (int i = 0; i < 20 && !"ui-app".equals(browser.switchTo().activeElement().getText()); i++) {
            new org.openqa.selenium.interactions.Actions(browser).sendKeys(org.openqa.selenium.Keys.TAB).perform();
        }
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("ui-app");
        new org.openqa.selenium.interactions.Actions(browser).sendKeys(org.openqa.selenium.Keys.ENTER).perform();
        wait(ExpectedConditions.presenceOfElementLocated(By.id("tab-security")));
    }

    @Test
    @Order(4)
    void aWrongPasswordIsSaidInThePageAndEveryAssetComesFromTheCoordinator() throws Exception {
        browser.get(url + "#/login");
        type(By.id("username"), "admin");
        type(By.id("password"), "not-the-password");
        click(By.id("sign-in"));
        wait(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "Wrong user name or password"));
        shot("login-error");
        // nothing from elsewhere: every script, style and image the page loaded is this origin's
        Object sources = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        String origin = suite.description().at("/api/url").asText();
        assertThat((List<?>) sources).isNotEmpty().allSatisfy(s -> assertThat(s.toString()).startsWith(origin));
        HttpResponse<String> page = http(null, null, "GET", "/ui/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
    }

    @Test
    @Order(5)
    void anActiveActiveDatabaseCreatedWithTlsOnHasEveryChannelOnTlsAndTheSwitchShowsItsTask() throws Exception {
        signIn("admin", password("password_file"));
        click(By.cssSelector("a[data-nav=crdbs]"));
        click(By.id("create-crdb"));
        // seed: "During database creation, expand the TLS configuration section, select On"
        type(By.id("crdb-name"), "ui-aa");
        click(By.id("crdb-tls-on"));
        shot("crdb-create");
        assertEveryControlIsLabelled();
        click(By.id("create-crdb-confirm"));
        new WebDriverWait(browser, Duration.ofSeconds(90)).until(ExpectedConditions.presenceOfElementLocated(By.id("crdb-channels")));
        String guid = browser.getCurrentUrl().replaceAll(".*#/crdbs/", "");
        // an instance on every cluster (the form's default): a channel from each to each other
        int clusters = suite.description().get("clusters").size();
        int channels = clusters * (clusters - 1);
        // every channel on TLS, as the page shows it and as the API says
        // the page renders itself again every 2 s: an element found may be gone the next moment
        new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#crdb-channels tr[data-channel]"));
            return rows.size() == channels && rows.stream().allMatch(r -> "true".equals(r.getAttribute("data-tls")) && r.getText().contains("in-sync"));
        });
        // each channel's lag chart has the coordinator's reports in it
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            List<WebElement> lines = d.findElements(By.cssSelector("#crdb-channels svg.spark polyline"));
            return d.findElement(By.id("crdb-channels")).getText().contains("TLSv1.3") && lines.size() == channels
                    && lines.stream().allMatch(l -> !l.getAttribute("points").isBlank());
        });
        shot("crdb-tls-on");
        for (JsonNode ch : suite.api("GET", "/v1/crdbs/" + guid, null).get("channels")) {
            assertThat(ch.at("/tls/enabled").asBoolean()).as(ch.toString()).isTrue();
        }
        Map<String, Integer> ports = suite.instancePorts(guid);
        redisCli("-p", "" + ports.get("cluster-a"), "SET", "from-ui", "yes");
        await().atMost(Duration.ofSeconds(20)).until(() -> redisCli("-p", "" + ports.get("cluster-b"), "GET", "from-ui").equals("yes"));

        // the encryption switch: its task's progress shown live until finished
        click(By.id("toggle-encryption"));
        new WebDriverWait(browser, Duration.ofSeconds(90)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> "finished".equals(
                d.findElement(By.id("task-progress")).getAttribute("data-status")));
        shot("crdb-encryption-task");
        new WebDriverWait(browser, Duration.ofSeconds(60)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> d.findElement(By.id("crdb-encryption")).getText().equals("Off"));
        assertThat(suite.api("GET", "/v1/crdbs/" + guid, null).get("encryption").asBoolean()).isFalse();
    }

    @Test
    @Order(6)
    void aReplicaOfSourceAddedWithEncryptionReplicates() throws Exception {
        JsonNode src = suite.api("POST", "/v1/bdbs", "{\"name\": \"ui-src\", \"cluster\": \"cluster-a\", \"tls_mode\": \"replica_ssl\"}");
        JsonNode dest = suite.api("POST", "/v1/bdbs", "{\"name\": \"ui-copy\", \"cluster\": \"cluster-b\"}");
        int srcPort = src.at("/endpoints/0/port").asInt();
        long destUid = dest.get("uid").asLong();
        await().atMost(Duration.ofSeconds(60)).until(() -> redisCli("-p", "" + srcPort, "SET", "before", "1").equals("OK"));
        signIn("admin", password("password_file"));
        browser.get(url + "#/databases/" + destUid);
        // the seed's manual step, shown: this cluster's syncer certificate with a Copy button
        wait(ExpectedConditions.presenceOfElementLocated(By.id("copy-syncer-cert")));
        String syncerCert = suite.api("GET", "/v1/cluster/certificates?cluster=cluster-b", null).get("syncer_cert").asText();
        assertThat(find(By.id("syncer-cert")).getAttribute("value")).isEqualTo(syncerCert);
        click(By.id("add-source"));
        type(By.id("source-uri"), "redis://127.0.0.1:" + srcPort);
        click(By.id("source-encryption"));
        shot("replica-of-add");
        click(By.id("add-source-confirm"));
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#replica-sources .source-status"), "in-sync"));
        shot("replica-of-in-sync");
        JsonNode source = suite.api("GET", "/v1/bdbs/" + destUid, null).at("/replica_sources/0");
        assertThat(source.get("encryption").asBoolean()).isTrue();
        int destPort = dest.at("/endpoints/0/port").asInt();
        redisCli("-p", "" + srcPort, "SET", "after", "2");
        await().atMost(Duration.ofSeconds(20)).until(() -> redisCli("-p", "" + destPort, "GET", "before").equals("1")
                && redisCli("-p", "" + destPort, "GET", "after").equals("2"));
    }

    @Test
    @Order(7)
    void theClustersCertificatesWithTheirExpiryAndARotationFromTheButton() throws Exception {
        String before = suite.api("GET", "/v1/cluster/certificates?cluster=cluster-a", null).get("syncer_cert").asText();
        signIn("admin", password("password_file"));
        click(By.cssSelector("a[data-nav=cluster]"));
        wait(ExpectedConditions.presenceOfElementLocated(By.id("expiry-timeline")));
        for (String c : List.of("cluster-a", "cluster-b", "control-plane")) {
            for (String name : c.equals("control-plane") ? List.of("api") : List.of("proxy", "syncer")) {
                WebElement row = find(By.cssSelector("tr[data-cert='" + c + "/" + name + "']"));
                assertThat(row.findElement(By.className("not-after")).getText()).as(c + " " + name).matches("\\d{4}-\\d{2}-\\d{2}T.*");
            }
        }
        shot("cluster-certificates");
        // the seed: the server (proxy) certificate from Cluster > Security > Certificates > Server authentication
        click(By.cssSelector("section[data-cluster=cluster-b] details summary"));
        assertThat(find(By.id("proxy-cert-cluster-b")).getAttribute("value"))
                .isEqualTo(suite.api("GET", "/v1/cluster/certificates?cluster=cluster-b", null).get("proxy_cert").asText());
        assertThat(find(By.id("download-proxy-cert-cluster-b")).getAttribute("download")).isEqualTo("cluster-b-proxy_cert.pem");
        click(By.id("rotate-cluster-a-syncer"));
        wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("section[data-cluster=cluster-a]"), "Rotation of the syncer"));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                !suite.api("GET", "/v1/cluster/certificates?cluster=cluster-a", null).get("syncer_cert").asText().equals(before));
    }

    @Test
    @Order(8)
    void anOperatorsProxyCertificateUploadedWithItsKeyIsWhatTheEndpointsServe() throws Exception {
        // an operator's CA and a proxy certificate of a new key it issued, for the loopback endpoints
        Path dir = Files.createDirectories(suite.home.resolve("ui-upload"));
        ReDocExamplesIT.openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "3", "-subj", "/CN=operator CA");
        ReDocExamplesIT.openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "proxy.key",
                "-out", "proxy.csr", "-subj", "/CN=proxy.cluster-a/O=Operator");
        Files.writeString(dir.resolve("ext.cnf"), "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
                + "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        ReDocExamplesIT.openssl(dir, "x509", "-req", "-in", "proxy.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "30", "-extfile", "ext.cnf", "-out", "proxy.pem");
        signIn("admin", password("password_file"));
        click(By.cssSelector("a[data-nav=cluster]"));
        click(By.id("upload-cluster-a-open"));
        new Select(find(By.id("upload-name-cluster-a"))).selectByValue("proxy");
        find(By.id("upload-cert-cluster-a")).sendKeys(Files.readString(dir.resolve("proxy.pem")) + Files.readString(dir.resolve("ca.pem")));
        find(By.id("upload-key-cluster-a")).sendKeys(Files.readString(dir.resolve("proxy.key")));
        shot("cluster-upload");
        assertEveryControlIsLabelled();
        click(By.id("upload-confirm-cluster-a"));
        wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-cert='cluster-a/proxy']"), "O=Operator"));
        // the endpoint of ui-app (cluster-a, mutual TLS) now serves it: redis-cli trusts the operator's CA only
        int port = suite.api("GET", "/v1/bdbs/" + uid("ui-app"), null).at("/endpoints/0/port").asInt();
        await().atMost(Duration.ofSeconds(30)).until(() -> redisCli("-p", "" + port, "--tls", "--cacert", dir.resolve("ca.pem").toString(),
                "--cert", pki.resolve("good.pem").toString(), "--key", pki.resolve("good.key").toString(), "PING").equals("PONG"));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    void signIn(String user, String password) throws Exception {
        browser.get(url + "#/login");
        wait(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        shot("login");
        type(By.id("username"), user);
        type(By.id("password"), password);
        click(By.id("sign-in"));
        wait(ExpectedConditions.presenceOfElementLocated(By.id("databases")));
    }

    /** Every visible input, select and textarea of the page has a label (or an aria-label) a screen reader reads. */
    void assertEveryControlIsLabelled() {
        Object unlabelled = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('main input, main select, main textarea')]"
                        + ".filter(e => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))"
                        + ".map(e => e.id || e.name || e.outerHTML)");
        assertThat((List<?>) unlabelled).as("controls without a label").isEmpty();
    }

    static String password(String field) throws Exception {
        return Files.readString(Path.of(suite.description().at("/api/" + field).asText())).trim();
    }

    static long uid(String name) {
        for (JsonNode b : suite.api("GET", "/v1/bdbs", null)) {
            if (b.get("name").asText().equals(name)) {
                return b.get("uid").asLong();
            }
        }
        throw new AssertionError("no bdb " + name);
    }

    static String proxyCert() {
        return suite.description().at("/clusters/0/proxy_cert").asText();
    }

    WebElement find(By by) {
        return wait(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Clicks it once it can be clicked (again, if a page's refresh replaced it meanwhile). */
    void click(By by) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            WebElement e = d.findElement(by);
            if (!e.isDisplayed() || !e.isEnabled()) {
                return false;
            }
            e.click();
            return true;
        });
    }

    void type(By by, String text) {
        find(by).sendKeys(text);
    }

    <T> T wait(org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(condition);
    }

    void shot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(shots.resolve(name + ".png"), png);
    }

    static String redisCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }

    static HttpResponse<String> http(String user, String password, String method, String path, String body) throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(LocalSuiteIT.trusting(Path.of(suite.description().get("ca_cert").asText()))).build();
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(suite.description().at("/api/url").asText() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return https.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
