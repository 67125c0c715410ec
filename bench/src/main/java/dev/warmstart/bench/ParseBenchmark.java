package dev.warmstart.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Parsing the same content as YAML/JSON files at start-up, what services do without a snapshot: the core
 * (config + prompts) for the realistic shape, and every data file for the sized shapes up to 100 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class ParseBenchmark {
    @Param({"mix", "1MiB-100", "100MiB-10k"})
    public String shape;

    private List<Path> yamlFiles;
    private List<Path> jsonFiles;
    private final ObjectMapper jackson = new ObjectMapper();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Shapes s = Shapes.of(shape);
        Path core = s.coreDir();
        yamlFiles = new ArrayList<>(List.of(core.resolve("config.yml")));
        jsonFiles = new ArrayList<>(List.of(core.resolve("config.json")));
        if (s.hasParseFiles() && s != Shapes.MIX) {
            yamlFiles.addAll(list(s.parseDir("yaml")));
            jsonFiles.addAll(list(s.parseDir("json")));
        }
        List<Path> prompts = list(core.resolve("prompts"));
        yamlFiles.addAll(prompts);
        jsonFiles.addAll(prompts);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** Jackson: every JSON file to a tree, prompt files read as text. */
    @Benchmark
    public void jacksonParse(Blackhole bh) throws IOException {
        for (Path f : jsonFiles) {
            if (f.toString().endsWith(".json")) {
                JsonNode node = jackson.readTree(f.toFile());
                bh.consume(node);
            } else {
                bh.consume(Files.readString(f));
            }
        }
    }

    /** SnakeYAML: every YAML file to maps, prompt files read as text. */
    @Benchmark
    public void snakeYamlParse(Blackhole bh) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(Integer.MAX_VALUE);
        Yaml yaml = new Yaml(options);
        for (Path f : yamlFiles) {
            if (f.toString().endsWith(".yml")) {
                try (InputStream in = Files.newInputStream(f)) {
                    bh.consume((Object) yaml.load(in));
                }
            } else {
                bh.consume(Files.readString(f));
            }
        }
    }
}
