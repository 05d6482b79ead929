package io.distws.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.web.RestApplication;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OpenAPI document at {@code /openapi} on Open Liberty ({@code mpOpenAPI}) and on Payara Micro (built in), from
 * node 1 of the shared queue clusters: every operation the JAX-RS resources declare is in it (found by reflection over
 * the {@code io.distws.web} classes, so a new endpoint without documentation fails here), each with a summary, the
 * bearer JWT security requirement and its 401/403 answers, and the security scheme is declared. On Liberty the UI at
 * {@code /openapi/ui/} answers too. That the document needs no token in secure mode is checked by {@code SecurityIT}.
 */
class OpenApiIT {

    private static final String RESOURCE_PACKAGE = "io.distws.web";

    /** One operation: an HTTP method (lower case, as OpenAPI keys them) and a path such as /api/users/{uid}. */
    record Endpoint(String method, String path) implements Comparable<Endpoint> {
        @Override
        public int compareTo(Endpoint other) {
            int byPath = path.compareTo(other.path);
            return byPath != 0 ? byPath : method.compareTo(other.method);
        }

        @Override
        public String toString() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"liberty", "payara"})
    void documentsEveryEndpointWithItsSecurityRequirement(String runtime) throws Exception {
        Cluster cluster = Cluster.of(runtime, "queue");
        JsonObject doc = fetchDocument(cluster);

        Set<Endpoint> expected = declaredEndpoints();
        assertTrue(expected.size() >= 12, "found only " + expected + " by reflection");

        JsonObject schemes = doc.getJsonObject("components") == null ? null
                : doc.getJsonObject("components").getJsonObject("securitySchemes");
        assertNotNull(schemes, "no components.securitySchemes in " + doc);
        JsonObject bearer = schemes.getJsonObject(RestApplication.BEARER);
        assertNotNull(bearer, "no security scheme " + RestApplication.BEARER + " in " + schemes);
        assertAll("the security scheme " + bearer,
                () -> assertEquals("http", bearer.getString("type", "")),
                () -> assertEquals("bearer", bearer.getString("scheme", "").toLowerCase(Locale.ROOT)),
                () -> assertEquals("JWT", bearer.getString("bearerFormat", "")));

        JsonObject paths = doc.getJsonObject("paths");
        assertNotNull(paths, "no paths in " + doc);
        JsonArray globalSecurity = doc.containsKey("security") ? doc.getJsonArray("security") : null;
        List<Executable> checks = new ArrayList<>();
        for (Endpoint endpoint : expected) {
            checks.add(() -> {
                JsonObject operation = operation(paths, endpoint);
                assertNotNull(operation, endpoint + " is not in the document, whose paths are " + paths.keySet());
                String summary = operation.getString("summary", "");
                assertFalse(summary.isBlank(), endpoint + " has no summary: " + operation);
                // An operation's own security replaces the document's (OpenAPI 3); either must name the scheme.
                JsonArray security = operation.containsKey("security") ? operation.getJsonArray("security")
                        : globalSecurity;
                assertTrue(security != null && security.stream().anyMatch(requirement ->
                                requirement.getValueType() == JsonValue.ValueType.OBJECT
                                        && requirement.asJsonObject().containsKey(RestApplication.BEARER)),
                        endpoint + " lacks the security requirement " + RestApplication.BEARER + ": " + operation);
                JsonObject responses = operation.getJsonObject("responses");
                assertNotNull(responses, endpoint + " has no responses: " + operation);
                assertTrue(responses.containsKey("401") && responses.containsKey("403"),
                        endpoint + " does not document 401 and 403: " + responses.keySet());
            });
        }
        assertAll(runtime + ": the documented operations", checks.stream());
    }

    @Test
    void libertyServesTheOpenApiUi() throws Exception {
        Cluster cluster = Cluster.of("liberty", "queue");
        HttpResponse<String> ui = Http.get(cluster.http(1).resolve("/openapi/ui/"));
        assertEquals(200, ui.statusCode(), ui.body());
        assertTrue(ui.body().toLowerCase(Locale.ROOT).contains("<html"), ui.body());
    }

    /** The document as JSON (both servers default to YAML). */
    private static JsonObject fetchDocument(Cluster cluster) throws Exception {
        HttpResponse<String> response = Http.get(cluster.http(1).resolve("/openapi?format=JSON"),
                "application/json");
        assertEquals(200, response.statusCode(), response.body());
        return Http.json(response);
    }

    /** The operation for an endpoint, matching the path with or without a trailing slash. */
    private static JsonObject operation(JsonObject paths, Endpoint endpoint) {
        for (String key : paths.keySet()) {
            if (normalize(key).equals(endpoint.path())) {
                JsonObject item = paths.getJsonObject(key);
                if (item.containsKey(endpoint.method())) {
                    return item.getJsonObject(endpoint.method());
                }
            }
        }
        return null;
    }

    /**
     * Every operation the JAX-RS resources in {@value #RESOURCE_PACKAGE} declare: for each class with {@code @Path},
     * each public method with an HTTP method annotation (any annotation meta-annotated with {@code @HttpMethod}),
     * under the application path of {@link RestApplication}.
     */
    static Set<Endpoint> declaredEndpoints() throws IOException, ClassNotFoundException, URISyntaxException {
        String base = RestApplication.class.getAnnotation(ApplicationPath.class).value();
        Set<Endpoint> endpoints = new TreeSet<>();
        for (Class<?> type : classesOf(RESOURCE_PACKAGE)) {
            Path classPath = type.getAnnotation(Path.class);
            if (classPath == null) {
                continue;
            }
            for (Method method : type.getMethods()) {
                String httpMethod = httpMethod(method);
                if (httpMethod == null) {
                    continue;
                }
                Path methodPath = method.getAnnotation(Path.class);
                endpoints.add(new Endpoint(httpMethod.toLowerCase(Locale.ROOT), normalize(base + "/" + classPath.value()
                        + "/" + (methodPath == null ? "" : methodPath.value()))));
            }
        }
        return endpoints;
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    /** One leading slash, no doubled or trailing ones, and {@code {name: regex}} templates as {@code {name}}. */
    static String normalize(String path) {
        String plain = path.replaceAll("\\{\\s*([^:}\\s]+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        if (!plain.startsWith("/")) {
            plain = "/" + plain;
        }
        return plain.length() > 1 && plain.endsWith("/") ? plain.substring(0, plain.length() - 1) : plain;
    }

    /** The top-level classes of a package, from a folder or a JAR on the class path. */
    private static List<Class<?>> classesOf(String pkg) throws IOException, ClassNotFoundException,
            URISyntaxException {
        String folder = pkg.replace('.', '/');
        ClassLoader loader = OpenApiIT.class.getClassLoader();
        Set<String> names = new TreeSet<>();
        Predicate<String> topLevelClass = name -> name.endsWith(".class") && !name.contains("$")
                && !name.equals("package-info.class");
        Enumeration<URL> roots = loader.getResources(folder);
        while (roots.hasMoreElements()) {
            URL root = roots.nextElement();
            if ("file".equals(root.getProtocol())) {
                try (Stream<java.nio.file.Path> files = Files.list(java.nio.file.Path.of(root.toURI()))) {
                    files.map(f -> f.getFileName().toString()).filter(topLevelClass)
                            .forEach(name -> names.add(name.substring(0, name.length() - 6)));
                }
            } else if ("jar".equals(root.getProtocol())) {
                JarURLConnection jar = (JarURLConnection) root.openConnection();
                jar.getJarFile().stream().map(JarEntry::getName)
                        .filter(name -> name.startsWith(folder + "/") && name.indexOf('/', folder.length() + 1) < 0)
                        .map(name -> name.substring(folder.length() + 1)).filter(topLevelClass)
                        .forEach(name -> names.add(name.substring(0, name.length() - 6)));
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            classes.add(Class.forName(pkg + "." + name, false, loader));
        }
        return classes;
    }
}
