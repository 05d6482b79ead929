package io.distws.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OriginTest {

    @ParameterizedTest
    @CsvSource({
        "https://App.Example, https://app.example",
        "https://app.example:443, https://app.example",
        "http://127.0.0.1:19140, http://127.0.0.1:19140",
        "http://[::1]:8080, http://[::1]:8080",
        "http://localhost/, http://localhost"})
    void parsesAndNormalisesOrigins(String text, String normal) {
        assertEquals(normal, Origin.parse(text).orElseThrow().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "", "app.example", "ftp://app.example", "https://app.example/path",
        "https://app.example?q", "https://user@app.example", "file:///etc/passwd", "javascript:alert(1)"})
    void refusesWhatIsNotAnOrigin(String text) {
        assertEquals(Optional.empty(), Origin.parse(text));
    }

    @ParameterizedTest
    @CsvSource({
        "http://127.0.0.1:19140, 127.0.0.1:19140, true",
        "http://127.0.0.1:19140, 127.0.0.1:19141, false",
        "http://evil.example:19140, 127.0.0.1:19140, false",
        "https://chat.example, chat.example, true",
        "https://chat.example, chat.example:443, true",
        "http://chat.example, chat.example, true",
        "https://chat.example:8443, chat.example, false",
        "http://[::1]:8080, [::1]:8080, true",
        "http://[::1]:8080, [::1], false"})
    void judgesSameOriginByTheHostHeader(String origin, String host, boolean same) {
        assertEquals(same, Origin.parse(origin).orElseThrow().sameAs(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[::1", "host:port"})
    void neverMatchesABrokenHostHeader(String host) {
        assertAll(
                () -> assertFalse(Origin.parse("http://host").orElseThrow().sameAs(host)),
                () -> assertTrue(Origin.parse("http://host").orElseThrow().sameAs("host")));
    }
}
