package dev.warmstart.snapshot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loader's layering, checked on its compiled main classes (from bottom to top):
 *
 * <ol>
 *   <li>{@code format} — the format's constants and codecs, depends on nothing of ours;
 *   <li>{@code loader} — the runtime reader, depends on {@code format} only: a service that reads never loads
 *       the writer or the store;
 *   <li>{@code writer} and {@code store} — build on the reader, never the other way round;
 *   <li>{@code cli} — on top; nothing depends on it.
 * </ol>
 *
 * And no cycle between any two packages. A violation fails {@code mvn verify} naming the class and the
 * dependency.
 */
class LayeringTest {
    private static final String FORMAT = "dev.warmstart.snapshot.format..";
    private static final String LOADER = "dev.warmstart.snapshot.loader..";
    private static final String WRITER = "dev.warmstart.snapshot.writer..";
    private static final String STORE = "dev.warmstart.snapshot.store..";
    private static final String CLI = "dev.warmstart.snapshot.cli..";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.warmstart.snapshot");
    }

    @Test
    void formatDependsOnNothingOfOurs() {
        noClasses()
                .that()
                .resideInAPackage(FORMAT)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(LOADER, WRITER, STORE, CLI)
                .because("the format is defined once, below everything that reads or writes it")
                .check(classes);
    }

    @Test
    void loaderDependsOnFormatOnly() {
        noClasses()
                .that()
                .resideInAPackage(LOADER)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(WRITER, STORE, CLI)
                .because("a reader must never need the writer, the store or the command line")
                .check(classes);
    }

    @Test
    void writerDependsOnNeitherStoreNorCli() {
        noClasses()
                .that()
                .resideInAPackage(WRITER)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(STORE, CLI)
                .because("the writer sits beside the store, on top of the reader")
                .check(classes);
    }

    @Test
    void nothingDependsOnTheCommandLine() {
        noClasses()
                .that()
                .resideOutsideOfPackage(CLI)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CLI)
                .because("the command line is the top layer")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.warmstart.snapshot.(*)..")
                .should()
                .beFreeOfCycles()
                .check(classes);
    }
}
