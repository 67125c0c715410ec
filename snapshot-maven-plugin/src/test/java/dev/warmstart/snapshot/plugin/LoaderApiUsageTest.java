package dev.warmstart.snapshot.plugin;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.warmstart.snapshot.loader.Snapshot;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The plugin reaches the loader only through the packages the loader's {@code module-info} exports, read from
 * the loader's own module descriptor: the plugin runs on Maven's class path, where JPMS would not stop it.
 */
class LoaderApiUsageTest {
    @Test
    void pluginUsesOnlyTheLoadersExportedPackages() throws Exception {
        Path loader = Path.of(Snapshot.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(loader).findAll().stream()
                .map(ModuleReference::descriptor)
                .findFirst()
                .orElseThrow();
        Set<String> exported = descriptor.exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(exported).contains("dev.warmstart.snapshot.loader");

        JavaClasses plugin = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.warmstart.snapshot.plugin");
        noClasses()
                .that()
                .resideInAPackage("dev.warmstart.snapshot.plugin..")
                .should()
                .dependOnClassesThat(resideInAPackage("dev.warmstart.snapshot..")
                        .and(not(resideInAPackage("dev.warmstart.snapshot.plugin..")))
                        .and(not(resideInAnyPackage(exported.toArray(new String[0])))))
                .because("the loader's module-info exports " + exported + "; everything else is its internals")
                .check(plugin);
    }
}
