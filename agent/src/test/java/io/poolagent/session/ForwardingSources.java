package io.poolagent.session;

import java.io.IOException;
import java.lang.invoke.MethodType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes {@code ForwardingConnection} and {@code ForwardingStatement}, the generated classes under
 * {@link TrackedConnection} and {@link TrackedStatement}, from the JDBC interfaces themselves: those two then
 * hold only what the agent adds, and no hand-written page of delegation can miss or misroute a method.
 * Reflection runs here, when the sources are written, never in the agent: they are plain calls, checked in.
 *
 * <p>From the repository's root, with the JDK alone: {@value #COMMAND}. {@code ForwardingSourcesTest} fails
 * while the checked-in files are not what this writes.
 */
final class ForwardingSources {

    static final String COMMAND = "java agent/src/test/java/io/poolagent/session/ForwardingSources.java";
    /** Where the sources go, from the repository's root. */
    static final String DIRECTORY = "agent/src/main/java/io/poolagent/session";

    static final List<Forwarding> ALL = List.of(
            new Forwarding(Connection.class, "ForwardingConnection")
                    // The calls that count as using the session (TrackedConnection: the default reset runs at
                    // return) with nothing more to watch; those that do more are written by hand.
                    .used("getMetaData", "setCatalog", "setHoldability", "setSavepoint", "releaseSavepoint",
                            "createClob", "createBlob", "createNClob", "createSQLXML", "createArrayOf",
                            "createStruct")
                    .sees("prepareStatement", "prepareCall")
                    // The request marks are HikariCP's, handled by TrackedConnection and never the driver's;
                    // sharding keys stay unsupported, as the interface's defaults say.
                    .keepsDefault("beginRequest", "endRequest", "setShardingKey", "setShardingKeyIfValid"),
            // Only plain statements are wrapped: prepared and callable ones show their SQL when prepared.
            new Forwarding(Statement.class, "ForwardingStatement")
                    .sees("executeQuery", "executeUpdate", "executeLargeUpdate", "execute", "addBatch"));

    private ForwardingSources() {
    }

    /** Writes the sources; the one argument, if any, is the directory to write them to. */
    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args.length > 0 ? args[0] : DIRECTORY);
        for (Forwarding forwarding : ALL) {
            Path file = directory.resolve(forwarding.name + ".java");
            Files.writeString(file, forwarding.source());
            System.out.println("wrote " + file);
        }
    }

    /**
     * One interface's forwarding class: every method, abstract or default, forwarded to {@code delegate}, some
     * after a call to a hook that the subclass implements (all overloads of a name alike), and
     * {@code toString}; {@code equals} and {@code hashCode} stay the object's own. The class written is
     * public, though only this package extends it: a public subclass of a package-private class would get a
     * synthetic bridge for each public method it inherits.
     */
    static final class Forwarding {

        final Class<?> api;
        final String name;
        /** Method name to the hook its methods call first: {@code used()}, or {@code sees(sql)}. */
        private final Map<String, String> hooks = new HashMap<>();
        private final Set<String> keptDefaults = new TreeSet<>();

        Forwarding(Class<?> api, String name) {
            this.api = api;
            this.name = name;
        }

        /** These methods call {@code used()} first. */
        Forwarding used(String... methods) {
            return hook("used", methods);
        }

        /** These methods, whose first parameter is SQL, call {@code sees(sql)} first. */
        Forwarding sees(String... methods) {
            return hook("sees", methods);
        }

        /** These default methods are left as the interface has them, not forwarded. */
        Forwarding keepsDefault(String... methods) {
            keptDefaults.addAll(List.of(methods));
            return this;
        }

        private Forwarding hook(String hook, String... methods) {
            for (String method : methods) {
                hooks.put(method, hook);
            }
            return this;
        }

        /** The methods forwarded, in a stable order: by name, then by descriptor. */
        List<Method> methods() {
            Map<String, Method> sorted = new TreeMap<>();
            for (Method method : api.getMethods()) {
                if (!Modifier.isStatic(method.getModifiers())
                        && !(method.isDefault() && keptDefaults.contains(method.getName()))) {
                    String descriptor = MethodType.methodType(method.getReturnType(), method.getParameterTypes())
                            .toMethodDescriptorString();
                    sorted.put(method.getName() + descriptor, method);
                }
            }
            Set<String> named = new TreeSet<>(hooks.keySet());
            named.addAll(keptDefaults);
            for (Method method : api.getMethods()) {
                named.remove(method.getName());
            }
            if (!named.isEmpty()) {
                throw new IllegalStateException(api.getName() + " has no method named " + named);
            }
            return new ArrayList<>(sorted.values());
        }

        String source() {
            Map<String, Class<?>> imports = new TreeMap<>();
            imported(api, imports);
            StringBuilder methods = new StringBuilder();
            for (Method method : methods()) {
                methods.append('\n').append(method(method, imports));
            }
            String simple = api.getSimpleName();
            StringJoiner hookLinks = new StringJoiner(", ", " Some first tell the subclass what the caller does: ", ".")
                    .setEmptyValue("");
            StringBuilder hookDeclarations = new StringBuilder();
            if (hooks.containsValue("used")) {
                hookLinks.add("{@link #used()}");
                hookDeclarations.append("\n    /** Called first by the methods that use the session, with no SQL. */\n"
                        + "    protected abstract void used();\n");
            }
            if (hooks.containsValue("sees")) {
                hookLinks.add("{@link #sees(String)}");
                hookDeclarations.append("\n    /** Called first by the methods that take SQL, with that SQL. */\n"
                        + "    protected abstract void sees(String sql);\n");
            }
            StringBuilder out = new StringBuilder()
                    .append("// GENERATED by ForwardingSources (agent/src/test/java) from ").append(api.getName())
                    .append(": do not edit.\n// To regenerate, from the repository's root: ").append(COMMAND)
                    .append("\n\npackage ").append(ForwardingSources.class.getPackageName()).append(";\n\n");
            for (String type : imports.keySet()) {
                out.append("import ").append(type).append(";\n");
            }
            out.append("\n/**\n * Every method of {@link ").append(simple).append("} forwarded to {@link #delegate}, ")
                    .append("for a subclass to override only those\n * that do more.").append(hookLinks);
            if (!keptDefaults.isEmpty()) {
                out.append("\n * Left to the interface's defaults: ").append(String.join(", ", keptDefaults))
                        .append('.');
            }
            out.append("\n */\npublic abstract class ").append(name).append(" implements ").append(simple)
                    .append(" {\n\n    protected final ").append(simple).append(" delegate;\n\n    protected ")
                    .append(name).append('(').append(simple).append(" delegate) {\n")
                    .append("        this.delegate = delegate;\n    }\n")
                    .append(hookDeclarations).append(methods)
                    .append("\n    @Override\n    public String toString() {\n        return delegate.toString();\n")
                    .append("    }\n}\n");
            return out.toString();
        }

        private String method(Method method, Map<String, Class<?>> imports) {
            StringJoiner typeParameters = new StringJoiner(", ", "<", "> ").setEmptyValue("");
            for (TypeVariable<Method> variable : method.getTypeParameters()) {
                StringJoiner bounds = new StringJoiner(" & ", " extends ", "").setEmptyValue("");
                for (Type bound : variable.getBounds()) {
                    if (bound != Object.class) {
                        bounds.add(type(bound, imports));
                    }
                }
                typeParameters.add(variable.getName() + bounds);
            }
            StringJoiner parameters = new StringJoiner(", ");
            StringJoiner arguments = new StringJoiner(", ");
            Type[] types = method.getGenericParameterTypes();
            for (int i = 0; i < types.length; i++) {
                parameters.add(type(types[i], imports) + " arg" + i);
                arguments.add("arg" + i);
            }
            StringJoiner exceptions = new StringJoiner(", ", " throws ", "").setEmptyValue("");
            for (Class<?> exception : method.getExceptionTypes()) {
                exceptions.add(type(exception, imports));
            }
            if (method.isVarArgs()) {
                throw new IllegalStateException("varargs are not written: " + method);
            }
            StringBuilder out = new StringBuilder("    @Override\n    public ").append(typeParameters)
                    .append(type(method.getGenericReturnType(), imports)).append(' ').append(method.getName())
                    .append('(').append(parameters).append(')').append(exceptions).append(" {\n");
            String hook = hooks.get(method.getName());
            if ("used".equals(hook)) {
                out.append("        used();\n");
            } else if ("sees".equals(hook)) {
                if (types.length == 0 || types[0] != String.class) {
                    throw new IllegalStateException("no SQL first: " + method);
                }
                out.append("        sees(arg0);\n");
            }
            out.append(method.getReturnType() == void.class ? "        " : "        return ")
                    .append("delegate.").append(method.getName()).append('(').append(arguments).append(");\n");
            return out.append("    }\n").toString();
        }

        private static String type(Type type, Map<String, Class<?>> imports) {
            if (type instanceof Class && ((Class<?>) type).isArray()) {
                return type(((Class<?>) type).getComponentType(), imports) + "[]";
            }
            if (type instanceof Class) {
                Class<?> plain = (Class<?>) type;
                imported(plain, imports);
                return plain.getSimpleName();
            }
            if (type instanceof ParameterizedType) {
                StringJoiner arguments = new StringJoiner(", ", "<", ">");
                for (Type argument : ((ParameterizedType) type).getActualTypeArguments()) {
                    arguments.add(type(argument, imports));
                }
                return type(((ParameterizedType) type).getRawType(), imports) + arguments;
            }
            if (type instanceof WildcardType) {
                WildcardType wildcard = (WildcardType) type;
                if (wildcard.getLowerBounds().length > 0) {
                    return "? super " + type(wildcard.getLowerBounds()[0], imports);
                }
                Type upper = wildcard.getUpperBounds()[0];
                return upper == Object.class ? "?" : "? extends " + type(upper, imports);
            }
            if (type instanceof TypeVariable) {
                return ((TypeVariable<?>) type).getName();
            }
            if (type instanceof GenericArrayType) {
                return type(((GenericArrayType) type).getGenericComponentType(), imports) + "[]";
            }
            throw new IllegalStateException("not written: " + type);
        }

        /** Adds the import a type needs, if any; two types of one simple name would need a qualified name. */
        private static void imported(Class<?> type, Map<String, Class<?>> imports) {
            if (type.isPrimitive() || type.getPackageName().equals("java.lang")) {
                return;
            }
            if (type.getEnclosingClass() != null) {
                throw new IllegalStateException("nested types are not written: " + type);
            }
            imports.put(type.getName(), type);
            long sameName = imports.values().stream()
                    .filter(other -> other.getSimpleName().equals(type.getSimpleName())).count();
            if (sameName > 1) {
                throw new IllegalStateException("two types named " + type.getSimpleName() + ": " + imports.keySet());
            }
        }
    }
}
