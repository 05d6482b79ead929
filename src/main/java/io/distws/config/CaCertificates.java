package io.distws.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads the CA certificates of {@code distws.redis.tls.ca}: a PEM file of one or more X.509 certificates. */
public final class CaCertificates {

    private CaCertificates() {
    }

    /**
     * The certificates in the file, in file order; never empty.
     *
     * @throws IllegalArgumentException saying why when the file cannot be read or holds no certificate
     */
    public static List<X509Certificate> read(Path pem) {
        if (!Files.isReadable(pem)) {
            throw new IllegalArgumentException("a readable file");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(pem)) {
            CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .forEach(c -> certificates.add((X509Certificate) c));
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("a PEM file of X.509 certificates (" + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("a PEM file of X.509 certificates (it holds none)");
        }
        return List.copyOf(certificates);
    }
}
