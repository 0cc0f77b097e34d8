package io.poolagent.intercept;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every hook shape written into a real class, loaded by the JVM (whose verifier checks the frames the
 * writer wrote) and run: the calls the hooks make, in order, and what the caller gets.
 */
class ClassRewriterTest {

    /** What the woven fixture calls; records every call. */
    public static final class Calls {
        // Public: the woven copy of Fixture lives in another class loader, so in another runtime package.
        public static final List<String> LOG = new ArrayList<>();
        static Object answer;

        public static Object enter(Object self, String a, long b, double c) {
            LOG.add("enter " + (self != null) + " " + a + " " + b + " " + c);
            return answer;
        }

        public static Object enterStatic(String a) {
            LOG.add("enterStatic " + a);
            return answer;
        }

        public static void always() {
            LOG.add("always");
        }

        public static void after(Object first) {
            LOG.add("after " + first);
        }

        public static CharSequence replace(CharSequence value) {
            LOG.add("replace " + value);
            return "replaced";
        }

        public static void touch(Object self) {
            String name = self.getClass().getName();
            LOG.add("touch " + name.substring(name.lastIndexOf('$') + 1));
        }
    }

    /** The class to weave: plain Java, compiled by javac with its own frames and handlers. */
    public static final class Fixture {
        public CharSequence open(String a, long b, double c) {
            if (a.equals("boom")) {
                throw new IllegalStateException("boom");
            }
            try {
                if (a.equals("caught")) {
                    throw new IllegalArgumentException("inner");
                }
            } catch (IllegalArgumentException e) {
                return "caught inside";
            }
            return "body " + a;
        }

        public static CharSequence find(String a) {
            return "found " + a;
        }

        public void untouched() {
            Calls.LOG.add("untouched");
        }
    }

    private static final String CALLS = Calls.class.getName().replace('.', '/');

    private static Hook.Call call(String name, String descriptor) {
        return new Hook.Call(CALLS, name, descriptor);
    }

    @BeforeEach
    void clear() {
        Calls.LOG.clear();
        Calls.answer = null;
    }

    @Test
    void anAnswerIsReturnedWithoutRunningTheBodyOrTheExitCall() throws Exception {
        Object fixture = woven(answerThenAlways());
        Calls.answer = "pooled";

        assertEquals("pooled", invoke(fixture, "open", "x", 7L, 1.5));
        assertEquals(List.of("enter true x 7 1.5"), Calls.LOG);
    }

    @Test
    void noAnswerRunsTheBodyAndTheExitCallOnce() throws Exception {
        Object fixture = woven(answerThenAlways());

        assertEquals("body x", invoke(fixture, "open", "x", 7L, 1.5).toString());
        assertEquals(List.of("enter true x 7 1.5", "always"), Calls.LOG);
    }

    @Test
    void aThrowingBodyRunsTheExitCallOnceAndTheCallerGetsTheException() throws Exception {
        Object fixture = woven(answerThenAlways());

        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> invoke(fixture, "open", "boom", 1L, 2.0));
        assertEquals("boom", thrown.getCause().getMessage());
        assertEquals(List.of("enter true boom 1 2.0", "always"), Calls.LOG);
    }

    @Test
    void theBodysOwnHandlersStillCatchFirst() throws Exception {
        Object fixture = woven(answerThenAlways());

        assertEquals("caught inside", invoke(fixture, "open", "caught", 1L, 2.0));
        assertEquals(List.of("enter true caught 1 2.0", "always"), Calls.LOG);
    }

    @Test
    void afterReturnGetsTheFirstArgumentOnNormalReturnsOnly() throws Exception {
        Object fixture = woven(target("open", Hook.afterReturn(call("after", "(Ljava/lang/Object;)V"))));

        invoke(fixture, "open", "x", 1L, 2.0);
        assertThrows(InvocationTargetException.class, () -> invoke(fixture, "open", "boom", 1L, 2.0));
        assertEquals(List.of("after x"), Calls.LOG);
    }

    @Test
    void replaceReturnChangesWhatTheCallerGets() throws Exception {
        Object fixture = woven(target("open", Hook.replaceReturn(
                call("replace", "(Ljava/lang/CharSequence;)Ljava/lang/CharSequence;"))));

        assertEquals("replaced", invoke(fixture, "open", "x", 1L, 2.0));
        assertEquals(List.of("replace body x"), Calls.LOG);
    }

    @Test
    void aStaticMethodGetsItsArgumentsWithoutThis() throws Exception {
        Object fixture = woven(new Targets.Target(Fixture.class.getName(), "find", List.of("java.lang.String"),
                Hook.answer(call("enterStatic", "(Ljava/lang/String;)Ljava/lang/Object;"), Hook.Pass.ARGUMENTS)));

        assertEquals("found y", invoke(fixture, "find", "y").toString());
        Calls.answer = "pooled";
        assertEquals("pooled", invoke(fixture, "find", "z"));
        assertEquals(List.of("enterStatic y", "enterStatic z"), Calls.LOG);
    }

    @Test
    void anEnterCallCanBeGivenJustThis() throws Exception {
        Object fixture = woven(target("untouched", Hook.enter(call("touch", "(Ljava/lang/Object;)V"), Hook.Pass.THIS)));

        invoke(fixture, "untouched");
        assertEquals(List.of("touch Fixture", "untouched"), Calls.LOG);
    }

    @Test
    void otherMethodsStayAsTheyWere() throws Exception {
        Object fixture = woven(answerThenAlways());

        invoke(fixture, "untouched");
        assertEquals(List.of("untouched"), Calls.LOG);
    }

    @Test
    void aClassWithoutTheTargetMethodIsNotRewritten() throws IOException {
        byte[] original = bytes(Fixture.class);

        assertNull(ClassRewriter.rewrite(original, List.of(target("absent", Hook.enter(call("always", "()V"),
                Hook.Pass.NOTHING)))));
    }

    @Test
    void parameterTypesMustMatchWhenTheTargetNamesThem() throws Exception {
        Targets.Target wrongTypes = new Targets.Target(Fixture.class.getName(), "open", List.of("java.lang.Object"),
                Hook.enter(call("always", "()V"), Hook.Pass.NOTHING));

        assertNull(ClassRewriter.rewrite(bytes(Fixture.class), List.of(wrongTypes)));
    }

    private static Targets.Target answerThenAlways() {
        return target("open", Hook.answer(
                call("enter", "(Ljava/lang/Object;Ljava/lang/String;JD)Ljava/lang/Object;"),
                Hook.Pass.THIS_AND_ARGUMENTS).thenAlways(call("always", "()V")));
    }

    /** Any parameters (null): the method is found by name. */
    private static Targets.Target target(String method, Hook hook) {
        return new Targets.Target(Fixture.class.getName(), method, null, hook);
    }

    private static Object woven(Targets.Target target) throws Exception {
        byte[] rewritten = ClassRewriter.rewrite(bytes(Fixture.class), List.of(target));
        Class<?> type = new OneClass(Fixture.class.getName(), rewritten).loadClass(Fixture.class.getName());
        assertSame(OneClass.class, type.getClassLoader().getClass());
        return type.getConstructor().newInstance();
    }

    private static Object invoke(Object target, String name, Object... args) throws Exception {
        for (Method method : target.getClass().getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == args.length) {
                return method.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }

    private static byte[] bytes(Class<?> type) throws IOException {
        String name = type.getName();
        try (InputStream in = type.getResourceAsStream(name.substring(name.lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines one class from given bytes; everything else (Calls) comes from the test's loader. */
    private static final class OneClass extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        OneClass(String name, byte[] bytes) {
            super(ClassRewriterTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (className.equals(name)) {
                synchronized (getClassLoadingLock(className)) {
                    Class<?> loaded = findLoadedClass(className);
                    return loaded != null ? loaded : defineClass(className, bytes, 0, bytes.length);
                }
            }
            return super.loadClass(className, resolve);
        }
    }
}
