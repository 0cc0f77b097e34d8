package io.poolagent.it;

import io.poolagent.it.support.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins what the shipped jar carries for whoever vets a release: the project's licence and notice, a CycloneDX
 * SBOM of what it bundles, the pom.properties that scanners (syft, grype, Trivy) read to name bundled
 * libraries, and a checksum beside it. The SBOM is the reference: the notice, the pom.properties and the
 * manifest must all say what it says.
 */
@Tag("slow")
class ReleaseArtifactTest {

    private static final String SBOM_ENTRY = "META-INF/sbom/pool-agent.cdx.json";
    /** The libraries a reader of the SBOM looks for first; each must be listed. */
    private static final List<String> KEY_LIBRARIES = List.of(
            "org.postgresql:postgresql", "com.zaxxer:HikariCP", "net.bytebuddy:byte-buddy",
            "io.micrometer:micrometer-core", "io.prometheus:simpleclient");
    /** A line of NOTICE that is nothing but Maven coordinates, groupId:artifactId:version. */
    private static final Pattern COORDINATE_LINE = Pattern.compile("^\\s+([\\w.-]+):([\\w.-]+):(\\S+)$", Pattern.MULTILINE);
    private static final Path REPOSITORY = Paths.get("..");

    @Test
    void theLicenceInTheJarIsTheApacheLicense2OfTheRepository() throws IOException {
        String licence = text("META-INF/LICENSE");

        assertTrue(licence.contains("Apache License") && licence.contains("Version 2.0, January 2004"), "not the Apache License 2.0");
        assertTrue(licence.contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION")
                && licence.contains("END OF TERMS AND CONDITIONS"), "not the licence's full text");
        assertEquals(Files.readString(REPOSITORY.resolve("LICENSE")), licence, "META-INF/LICENSE is not the repository's LICENSE");
    }

    @Test
    void theNoticeNamesEveryLibraryOfTheSbomWithItsVersion() throws IOException {
        String notice = text("META-INF/NOTICE");
        assertEquals(Files.readString(REPOSITORY.resolve("NOTICE")), notice, "META-INF/NOTICE is not the repository's NOTICE");

        List<String> inNotice = new ArrayList<>();
        for (Matcher m = COORDINATE_LINE.matcher(notice); m.find(); ) {
            inNotice.add(m.group(1) + ":" + m.group(2) + ":" + m.group(3));
        }
        List<String> inSbom = components(sbom()).stream().map(ReleaseArtifactTest::coordinates).collect(Collectors.toList());

        assertEquals(List.of(), inSbom.stream().filter(c -> !inNotice.contains(c)).collect(Collectors.toList()),
                "bundled (per the SBOM) but not named in NOTICE with this version");
        assertEquals(List.of(), inNotice.stream().filter(c -> !inSbom.contains(c)).collect(Collectors.toList()),
                "named in NOTICE but not bundled (per the SBOM): a stale version or a library gone");
    }

    @Test
    void theEmbeddedSbomListsTheKeyLibrariesWithVersionsAndPurls() throws IOException {
        Map<String, Object> sbom = sbom();
        assertEquals("CycloneDX", sbom.get("bomFormat"));

        Map<String, Map<String, Object>> byName = byGroupAndName(components(sbom));
        for (String library : KEY_LIBRARIES) {
            Map<String, Object> component = byName.get(library);
            assertNotNull(component, library + " is not in the SBOM");
            String version = string(component, "version");
            assertTrue(version.matches("\\d+(\\.\\d+)+"), library + " has no release version in the SBOM: " + version);
            String[] ga = library.split(":");
            assertEquals("pkg:maven/" + ga[0] + "/" + ga[1] + "@" + version + "?type=jar", component.get("purl"), library + "'s purl");
        }
    }

    /** The SBOM's pgjdbc is the doctor's nested jar, not some other build of it. */
    @Test
    void theSbomsPgjdbcVersionIsTheNestedDriversVersion() throws IOException {
        String inSbom = string(byGroupAndName(components(sbom())).get("org.postgresql:postgresql"), "version");
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile());
             JarInputStream driver = new JarInputStream(jar.getInputStream(jar.getEntry("inst/lib/postgresql.jar")))) {
            assertEquals(inSbom, driver.getManifest().getMainAttributes().getValue("Bundle-Version"));
        }
    }

    @Test
    void theEmbeddedSbomIsTheOneWrittenBesideTheJar() throws IOException {
        Path beside = ChildJvm.agentJar().resolveSibling("pool-agent.cdx.json");
        assertTrue(Files.isRegularFile(beside), "no " + beside);
        assertArrayEquals(Files.readAllBytes(beside), bytes(SBOM_ENTRY), SBOM_ENTRY + " differs from " + beside);
    }

    /** Scanners name a bundled library by META-INF/maven/<g>/<a>/pom.properties at the jar's root. */
    @Test
    void everyLibraryOfTheSbomHasItsPomPropertiesAtTheJarRootWithTheSameVersion() throws IOException {
        List<Map<String, Object>> components = components(sbom());
        assertTrue(byGroupAndName(components).keySet().containsAll(KEY_LIBRARIES), "the SBOM lacks a key library");

        List<String> problems = new ArrayList<>();
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            for (Map<String, Object> component : components) {
                String group = string(component, "group");
                String name = string(component, "name");
                String path = "META-INF/maven/" + group + "/" + name + "/pom.properties";
                JarEntry entry = jar.getJarEntry(path);
                if (entry == null) {
                    problems.add("no " + path);
                    continue;
                }
                Properties pom = new Properties();
                try (InputStream in = jar.getInputStream(entry)) {
                    pom.load(in);
                }
                Map<String, String> expected = Map.of("groupId", group, "artifactId", name, "version", string(component, "version"));
                expected.forEach((key, value) -> {
                    if (!value.equals(pom.getProperty(key))) {
                        problems.add(path + ": " + key + "=" + pom.getProperty(key) + ", the SBOM says " + value);
                    }
                });
            }
            // Under inst/ a scanner would still find them, but the agent's class loader has no business with them.
            jar.stream().map(JarEntry::getName).filter(n -> n.startsWith("inst/META-INF/maven/"))
                    .forEach(n -> problems.add("pom metadata under inst/: " + n));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theChecksumFileBesideTheJarIsTheJarsSha256() throws IOException, NoSuchAlgorithmException {
        Path jar = ChildJvm.agentJar();
        Path sums = jar.resolveSibling("pool-agent.jar.sha256");
        assertTrue(Files.isRegularFile(sums), "no " + sums);

        // sha256sum's format, so that `sha256sum -c pool-agent.jar.sha256` checks it
        Matcher line = Pattern.compile("([0-9a-f]{64})  pool-agent\\.jar\\n?").matcher(Files.readString(sums));
        assertTrue(line.matches(), "not `<sha-256>  pool-agent.jar`: " + Files.readString(sums));
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jar)));
        assertEquals(actual, line.group(1), "the recorded SHA-256 is not the jar's");
    }

    @Test
    void theManifestsVersionIsTheSbomsVersionOfTheAgent() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> agent = (Map<String, Object>) ((Map<String, Object>) sbom().get("metadata")).get("component");
        assertEquals("io.poolagent:pool-agent", agent.get("group") + ":" + agent.get("name"));

        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            String version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
            assertNotNull(version, "no Implementation-Version");
            assertEquals(string(agent, "version"), version);
        }
    }

    /** Our LICENSE and NOTICE take the standard names; the bundled libraries' own files are kept beside them. */
    @Test
    void theBundledLibrariesOwnLicenceFilesAreKept() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("META-INF/licenses/byte-buddy/licenses/ASM", "INRIA, France Telecom");
        expected.put("META-INF/licenses/byte-buddy/NOTICE", "Rafael Winterhalter");
        expected.put("META-INF/licenses/micrometer-core/NOTICE", "VMware");
        expected.put("META-INF/licenses/slf4j-api/LICENSE.txt", "QOS.ch");
        expected.put("META-INF/licenses/HdrHistogram/LICENSE.txt", "Gil Tene");
        expected.put("META-INF/licenses/postgresql/LICENSE", "PostgreSQL Global Development Group");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertTrue(text(e.getKey()).contains(e.getValue()), e.getKey() + " does not mention " + e.getValue());
        }
    }

    private static Map<String, Object> sbom() throws IOException {
        Object parsed = new Yaml().load(new StringReader(text(SBOM_ENTRY)));
        assertTrue(parsed instanceof Map, SBOM_ENTRY + " is not a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> sbom = (Map<String, Object>) parsed;
        return sbom;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> components(Map<String, Object> sbom) {
        Object components = sbom.get("components");
        assertTrue(components instanceof List && !((List<?>) components).isEmpty(), "the SBOM lists no components");
        return (List<Map<String, Object>>) components;
    }

    private static Map<String, Map<String, Object>> byGroupAndName(List<Map<String, Object>> components) {
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        components.forEach(c -> byName.put(c.get("group") + ":" + c.get("name"), c));
        return byName;
    }

    private static String coordinates(Map<String, Object> component) {
        return string(component, "group") + ":" + string(component, "name") + ":" + string(component, "version");
    }

    private static String string(Map<String, Object> map, String key) {
        Object value = map.get(key);
        assertTrue(value instanceof String && !((String) value).isEmpty(), "no " + key + " in " + map);
        return (String) value;
    }

    private static String text(String entry) throws IOException {
        return new String(bytes(entry), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String entry) throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            JarEntry e = jar.getJarEntry(entry);
            assertNotNull(e, "no " + entry + " in " + ChildJvm.agentJar());
            try (InputStream in = jar.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }
}
