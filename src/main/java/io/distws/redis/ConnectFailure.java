package io.distws.redis;

import io.distws.config.DistwsConfig;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import org.redisson.client.RedisAuthRequiredException;
import org.redisson.client.RedisWrongPasswordException;

/**
 * Turns Redisson's failure to connect into a start-up message that names the key to fix: Redisson says only that it
 * could not connect, with the real reason (refused credentials, an untrusted certificate) deep in the causes.
 */
final class ConnectFailure {

    private ConnectFailure() {
    }

    /** What went wrong and which key to look at, then Redisson's own words; never the password. */
    static String explain(DistwsConfig config, Throwable failure) {
        String hint = hint(config, failure);
        String detail = String.valueOf(failure.getMessage());
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != failure) {
            detail += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        String message = (hint.isEmpty() ? "" : hint + "; ") + detail;
        return config.redisAuth().map(auth -> message.replace(auth.password(), "***")).orElse(message);
    }

    private static String hint(DistwsConfig config, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisWrongPasswordException) {
                return "Redis refused the credentials: check " + DistwsConfig.REDIS_PASSWORD
                        + (config.redisAuth().map(a -> a.username().isEmpty()).orElse(true) ? ""
                                : " and " + DistwsConfig.REDIS_USERNAME);
            }
            if (t instanceof RedisAuthRequiredException) {
                return "Redis requires a password: set " + DistwsConfig.REDIS_PASSWORD
                        + " (and " + DistwsConfig.REDIS_USERNAME + " for an ACL user)";
            }
            if (t instanceof CertificateException || t instanceof SSLException) {
                return config.redisTlsCa()
                        .map(ca -> "the Redis server's TLS certificate is not accepted with " + DistwsConfig.REDIS_TLS_CA
                                + "=" + ca + " (signed by another CA, or not issued for this host name)")
                        .orElse("the Redis server's TLS certificate is not trusted: set " + DistwsConfig.REDIS_TLS_CA
                                + " to the PEM file of the CA that signed it");
            }
        }
        return "";
    }
}
