package dev.warmstart.snapshot.plugin.input;

import static dev.warmstart.snapshot.plugin.input.ReadLimits.MAX_ALIASES;
import static dev.warmstart.snapshot.plugin.input.ReadLimits.MAX_DEPTH;
import static dev.warmstart.snapshot.plugin.input.ReadLimits.oneLine;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.Iterator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Parses one YAML document with SnakeYAML under the shared limits, and hands its node graph to
 * {@link YamlTreeConverter}.
 */
final class YamlDocumentReader {
    private final int maxCodePoints;
    private final boolean lastDuplicateKeyWins;

    YamlDocumentReader(int maxCodePoints, boolean lastDuplicateKeyWins) {
        this.maxCodePoints = maxCodePoints;
        this.lastDuplicateKeyWins = lastDuplicateKeyWins;
    }

    /**
     * Parses YAML text, reporting lines shifted by {@code lineOffset} (non-zero for YAML embedded in another file).
     *
     * @return the document, or null after reporting why it cannot be used
     */
    ParsedDocument read(Path file, String text, Problems problems, int lineOffset) {
        if (!ReadLimits.withinSize(file, text, maxCodePoints, "YAML", problems)) {
            return null;
        }
        LoaderOptions options = new LoaderOptions();
        // Duplicates are found (and refused or warned about) by the converter, which knows both lines.
        options.setAllowDuplicateKeys(lastDuplicateKeyWins);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setCodePointLimit(Math.max(maxCodePoints, 1));
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(options);
        Node node;
        try {
            Iterator<Node> documents = yaml.composeAll(new StringReader(text)).iterator();
            if (!documents.hasNext()) {
                problems.error(file, 0, 0, "the file is empty; write a YAML mapping or delete the file");
                return null;
            }
            node = documents.next();
            if (documents.hasNext()) {
                Node second = documents.next();
                problems.error(
                        file,
                        second.getStartMark().getLine() + 1 + lineOffset,
                        0,
                        "the file holds more than one YAML document ('---'); keep one document per file");
                return null;
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.error(
                    file,
                    mark == null ? 0 : mark.getLine() + 1 + lineOffset,
                    mark == null ? 0 : mark.getColumn() + 1,
                    "malformed YAML: " + oneLine(e.getProblem() != null ? e.getProblem() : e.getMessage())
                            + (e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : ""));
            return null;
        } catch (YAMLException e) {
            problems.error(
                    file,
                    0,
                    0,
                    "YAML refused: " + oneLine(e.getMessage())
                            + (e.getMessage() != null && e.getMessage().contains("aliases")
                                    ? "; anchors and aliases may not expand into more than " + MAX_ALIASES
                                            + " collections"
                                    : ""));
            return null;
        } catch (IllegalArgumentException e) { // found by fuzzing: SnakeYAML refuses some tags this way
            problems.error(file, 0, 0, "malformed YAML: " + oneLine(e.getMessage()));
            return null;
        }
        if (node == null) {
            problems.error(file, 0, 0, "the file is empty; write a YAML mapping or delete the file");
            return null;
        }
        YamlTreeConverter converter = new YamlTreeConverter(file, problems, lineOffset, lastDuplicateKeyWins);
        Object root = converter.convert(node, "", 0);
        if (converter.failed()) {
            return null;
        }
        return new ParsedDocument(file, root, converter.locations(), lineOffset);
    }
}
