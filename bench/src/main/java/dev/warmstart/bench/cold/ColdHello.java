package dev.warmstart.bench.cold;

/** The floor: a JVM that starts, prints and exits. */
public final class ColdHello {
    private ColdHello() {}

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
