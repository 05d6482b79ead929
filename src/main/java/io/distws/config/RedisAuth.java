package io.distws.config;

/**
 * The credentials the nodes present to Redis ({@code distws.redis.username}, {@code distws.redis.password}): an ACL
 * user and its password, or the password alone for the default user ({@code requirepass}). Its string form never
 * shows the password.
 *
 * @param username the ACL user; empty for the default user
 * @param password the password; never empty
 */
public record RedisAuth(String username, String password) {

    @Override
    public String toString() {
        return "RedisAuth[username=" + (username.isEmpty() ? "(default)" : username) + ", password=***]";
    }
}
