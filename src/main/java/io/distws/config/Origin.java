package io.distws.config;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * A web origin ({@code scheme://host[:port]}) as browsers send it in the {@code Origin} header, compared by value
 * with the scheme's default port filled in: {@code https://a.example} equals {@code https://a.example:443}.
 *
 * @param scheme {@code http} or {@code https}, lower case
 * @param host   the host name or IP literal (IPv6 without brackets), lower case
 * @param port   the explicit port, or the scheme's default
 */
public record Origin(String scheme, String host, int port) {

    /** Parses an origin; empty for anything else (a path, a query, {@code null}, another scheme, no host). */
    public static Optional<Origin> parse(String text) {
        if (text == null || text.length() > 512) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(text.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getUserInfo() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return Optional.empty();
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = uri.getPort() > 0 ? uri.getPort() : defaultPort(scheme);
            return Optional.of(new Origin(scheme, host, port));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /**
     * Whether this origin names the server the request was sent to, judged by its {@code Host} header: same host, and
     * the same port, or no port in the header and this origin on its scheme's default port (as behind a proxy).
     */
    public boolean sameAs(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        String value = hostHeader.trim().toLowerCase(Locale.ROOT);
        String headerHost;
        String headerPort = null;
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            if (end < 0) {
                return false;
            }
            headerHost = value.substring(1, end);
            if (value.length() > end + 1) {
                if (value.charAt(end + 1) != ':') {
                    return false;
                }
                headerPort = value.substring(end + 2);
            }
        } else {
            int colon = value.lastIndexOf(':');
            headerHost = colon < 0 ? value : value.substring(0, colon);
            headerPort = colon < 0 ? null : value.substring(colon + 1);
        }
        if (!headerHost.equals(host)) {
            return false;
        }
        if (headerPort == null) {
            return port == defaultPort(scheme);
        }
        try {
            return Integer.parseInt(headerPort) == port;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /** The origin as a browser writes it: {@code https://a.example} (default port left out). */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == defaultPort(scheme) ? scheme + "://" + h : scheme + "://" + h + ":" + port;
    }
}
