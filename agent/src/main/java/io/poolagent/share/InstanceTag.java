package io.poolagent.share;

import io.poolagent.config.Settings;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How instances of auto-sized pools find each other with the server as their only registry: each pool's
 * sessions carry {@code <application's own name> [pool-agent <service> <id> <weight>]} as their
 * {@code application_name}, so that {@code pg_stat_activity} tells whose a session is, and the runbook's
 * queries still show the application's name first.
 *
 * <p>PostgreSQL keeps at most 63 bytes of it (NAMEDATALEN - 1) and turns each byte that is not printable ASCII
 * into '?' (before 16) or into a four-byte escape like {@code \xc3} (16 and later), so the tag is ASCII and goes
 * last but is never cut: the application's part gives way instead, measured as the server will show it.
 */
public final class InstanceTag {

    static final int MAX_APPLICATION_NAME = 63;
    private static final String OPEN = "[pool-agent ";
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int ID_LENGTH = 6;

    private final String service;
    private final String id;
    private final int weight;

    InstanceTag(String service, String id, int weight) {
        this.service = service;
        this.id = id;
        this.weight = weight;
    }

    /** A new instance of {@code service}: six random characters tell it from every other pool, here or elsewhere. */
    public static InstanceTag create(String service, int weight) {
        StringBuilder id = new StringBuilder(ID_LENGTH);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < ID_LENGTH; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return new InstanceTag(service, id.toString(), weight);
    }

    /** The tag in an {@code application_name}, or null for a session of anyone else. */
    static InstanceTag parse(String applicationName) {
        if (applicationName == null || !applicationName.endsWith("]")) {
            return null;
        }
        int open = applicationName.lastIndexOf(OPEN);
        if (open < 0) {
            return null;
        }
        String[] parts = applicationName.substring(open + OPEN.length(), applicationName.length() - 1).split(" ");
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return null;
        }
        try {
            int weight = Integer.parseInt(parts[2]);
            // Above DB_POOL_SHARE_WEIGHT's limit it is a session named by hand, not an instance.
            return weight > 0 && weight <= Settings.MAX_WEIGHT ? new InstanceTag(parts[0], parts[1], weight) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** What the pool's sessions send as application_name: the application's name, shortened to fit, then the tag. */
    public String applicationName(String own) {
        String tag = toString();
        int room = MAX_APPLICATION_NAME - tag.length() - 1;
        String name = own == null ? "" : own.trim();
        while (shownLength(name) > room) {
            name = name.substring(0, name.offsetByCodePoints(name.length(), -1)).trim(); // never half a character
        }
        return name.isEmpty() ? tag : name + " " + tag;
    }

    /** The bytes the server keeps for {@code text}: four (PostgreSQL 16's \xNN) for each byte not printable ASCII. */
    private static int shownLength(String text) {
        int length = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            length += c >= 32 && c <= 126 ? 1 : 4 * (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
        }
        return length;
    }

    String service() {
        return service;
    }

    String id() {
        return id;
    }

    int weight() {
        return weight;
    }

    @Override
    public String toString() {
        return OPEN + service + " " + id + " " + weight + "]";
    }
}
