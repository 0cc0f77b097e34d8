package io.poolagent.config;

import java.util.Locale;

/**
 * The service a JVM belongs to when DB_POOL_SERVICE does not say: its host name without the suffix that
 * Kubernetes gives each replica. A Deployment's pod is {@code <name>-<template hash>-<5 characters>}, a
 * DaemonSet's or a Job's {@code <name>-<5 characters>}, a StatefulSet's {@code <name>-<ordinal>}. The random
 * parts use Kubernetes' "safe" alphabet, consonants and the digits 2 and 4 to 9 (apimachinery's
 * {@code rand.SafeEncodeString}, which leaves out vowels so that no word is spelled), so a name part with a
 * vowel is never taken for one.
 */
final class ServiceName {

    static final int MAX_LENGTH = 24;
    private static final String SAFE = "bcdfghjklmnpqrstvwxz2456789";

    private ServiceName() {
    }

    static String fromHost(String host) {
        if (host == null || host.trim().isEmpty()) {
            return "app";
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        int dot = name.indexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot); // a fully qualified host name: its first label
        }
        String stripped = stripLast(name, 5, 5);
        if (!stripped.equals(name)) {
            stripped = stripLast(stripped, 6, 10); // a Deployment's pod-template hash before the pod's suffix
        } else if (isOrdinal(lastPart(name))) {
            stripped = name.substring(0, name.lastIndexOf('-'));
        }
        return clean(stripped.isEmpty() ? name : stripped);
    }

    /** True for what DB_POOL_SERVICE accepts: letters, digits, '.', '_' and '-', at most {@link #MAX_LENGTH}. */
    static boolean valid(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!allowed(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String stripLast(String name, int minLength, int maxLength) {
        String last = lastPart(name);
        if (last == null || last.length() < minLength || last.length() > maxLength) {
            return name;
        }
        for (int i = 0; i < last.length(); i++) {
            if (SAFE.indexOf(last.charAt(i)) < 0) {
                return name;
            }
        }
        return name.substring(0, name.length() - last.length() - 1);
    }

    private static String lastPart(String name) {
        int dash = name.lastIndexOf('-');
        return dash <= 0 ? null : name.substring(dash + 1);
    }

    private static boolean isOrdinal(String part) {
        if (part == null || part.isEmpty() || part.length() > 5) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String clean(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < MAX_LENGTH; i++) {
            char c = name.charAt(i);
            out.append(allowed(c) ? c : '-');
        }
        return out.toString();
    }

    private static boolean allowed(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-';
    }
}
