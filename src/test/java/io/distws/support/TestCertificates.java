package io.distws.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throw-away TLS material made with {@code openssl} at test time, never committed: a CA, a server certificate it
 * signs for 127.0.0.1 and localhost, and a second CA that signed nothing, for tests that must be refused.
 *
 * @param ca          the CA certificate (PEM)
 * @param serverCert  the server certificate (PEM), signed by {@code ca}
 * @param serverKey   the server's private key (PEM)
 * @param otherCa     a CA certificate (PEM) that did not sign {@code serverCert}
 */
public record TestCertificates(Path ca, Path serverCert, Path serverKey, Path otherCa) {

    /** Makes fresh certificates in {@code dir}, replacing any made before; valid for a day. */
    public static TestCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
        TestCertificates made = new TestCertificates(dir.resolve("ca.crt"), dir.resolve("server.crt"),
                dir.resolve("server.key"), dir.resolve("other-ca.crt"));
        selfSignedCa(dir, "ca", "distws test CA");
        selfSignedCa(dir, "other-ca", "distws other test CA");
        openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        try {
            Files.writeString(dir.resolve("server.ext"), """
                    subjectAltName=IP:127.0.0.1,DNS:localhost
                    basicConstraints=CA:FALSE
                    keyUsage=critical,digitalSignature,keyEncipherment
                    extendedKeyUsage=serverAuth
                    """);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir.resolve("server.ext"), e);
        }
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.crt", "-days", "1", "-extfile", "server.ext");
        return made;
    }

    private static void selfSignedCa(Path dir, String name, String commonName) {
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-days", "1", "-subj", "/CN=" + commonName,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + " (is openssl on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
