package io.distws.api;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DistributedFdTest {

    @Test
    void parsesWhatToStringWrites() {
        DistributedFd fd = new DistributedFd("node1", 42);

        assertEquals("node1-42", fd.toString());
        assertEquals(fd, DistributedFd.parse(fd.toString()));
    }

    @Test
    void parsesNodeIdContainingDashes() {
        DistributedFd fd = DistributedFd.parse("web-01-eu-7");

        assertAll(
                () -> assertEquals("web-01-eu", fd.nodeId()),
                () -> assertEquals(7, fd.fd()));
    }

    @Test
    void parsesNodeIdContainingColonsAndDashes() {
        DistributedFd fd = DistributedFd.parse("host-a:k3x9-a2-12");

        assertAll(
                () -> assertEquals("host-a:k3x9-a2", fd.nodeId()),
                () -> assertEquals(12, fd.fd()),
                () -> assertEquals("host-a:k3x9-a2-12", fd.toString()));
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> DistributedFd.parse(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"node1", "", "42"})
    void rejectsValueWithoutDash(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistributedFd.parse(value));
        assertEquals("distributed fd must look like '<nodeId>-<fd>', got '" + value + "'", e.getMessage());
    }

    @Test
    void rejectsEmptyNodeId() {
        assertThrows(IllegalArgumentException.class, () -> DistributedFd.parse("-5"));
    }

    @Test
    void rejectsTrailingDashWithoutFd() {
        assertThrows(IllegalArgumentException.class, () -> DistributedFd.parse("node1-"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"node1-x", "node1-1.5", "node1-99999999999999999999", "node1-+5", "node1- 5"})
    void rejectsNonNumericFd(String value) {
        assertThrows(IllegalArgumentException.class, () -> DistributedFd.parse(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"node1-0", "node1-00"})
    void rejectsNonPositiveFd(String value) {
        assertThrows(IllegalArgumentException.class, () -> DistributedFd.parse(value));
    }

    @Test
    void constructorRejectsBlankNodeIdAndNonPositiveFd() {
        assertAll(
                () -> assertThrows(NullPointerException.class, () -> new DistributedFd(null, 1)),
                () -> assertThrows(IllegalArgumentException.class, () -> new DistributedFd(" ", 1)),
                () -> assertThrows(IllegalArgumentException.class, () -> new DistributedFd("node1", 0)));
    }
}
