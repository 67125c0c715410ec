package dev.warmstart.snapshot.store;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the registry.json reader: any text gives a registry or an {@link IllegalArgumentException} naming what
 * is malformed (its documented error).
 */
class StoreRegistryFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void fromJson(String text) {
        if (text == null) {
            return; // Jazzer's default input; the readers take non-null text
        }
        StoreRegistry registry;
        try {
            registry = StoreRegistry.fromJson(text);
        } catch (IllegalArgumentException expected) {
            return;
        }
        StoreRegistry.fromJson(registry.toJson());
    }
}
