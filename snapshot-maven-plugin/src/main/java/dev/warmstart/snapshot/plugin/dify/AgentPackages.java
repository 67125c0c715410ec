package dev.warmstart.snapshot.plugin.dify;

import dev.warmstart.snapshot.format.ConfigPath;
import dev.warmstart.snapshot.loader.PromptSyntax;
import dev.warmstart.snapshot.plugin.input.ParsedDocument;
import dev.warmstart.snapshot.plugin.input.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The portable Agent packages of a DSL 0.7.0 export ({@code agent_packages}, Dify's
 * {@code api/services/agent/dsl_entities.py}): each one an Agent Soul ({@code api/models/agent_config_entities.py})
 * with display metadata and the assets the export left out. An {@code agent} app points at one with
 * {@code agent.package_ref}; a workflow's Agent v2 nodes with {@code agent_binding.package_ref}.
 */
final class AgentPackages {
    /** The only package schema Dify writes ({@code AGENT_PACKAGE_SCHEMA_VERSION}). */
    static final int SCHEMA_VERSION = 1;

    private final Map<String, Map<?, ?>> packages;

    private AgentPackages(Map<String, Map<?, ?>> packages) {
        this.packages = packages;
    }

    static AgentPackages read(Map<?, ?> root, ParsedDocument doc, Problems problems) {
        Map<String, Map<?, ?>> packages = new LinkedHashMap<>();
        Object raw = root.get("agent_packages");
        if (raw == null) {
            return new AgentPackages(packages);
        }
        if (!(raw instanceof Map<?, ?> map)) {
            problems.error(
                    doc.file(),
                    doc.line("agent_packages"),
                    0,
                    "'agent_packages' must map package references to packages; export the app again");
            return new AgentPackages(packages);
        }
        map.forEach((ref, pkg) -> {
            String at = ConfigPath.child("agent_packages", ref.toString());
            if (!(pkg instanceof Map<?, ?> p)) {
                problems.error(doc.file(), doc.line(at), 0, "agent package '" + ref + "' is not a mapping");
                return;
            }
            Object schema = p.get("schema_version");
            if (schema != null && !String.valueOf(schema).equals(String.valueOf(SCHEMA_VERSION))) {
                problems.error(
                        doc.file(),
                        doc.line(ConfigPath.child(at, "schema_version")),
                        0,
                        "agent package '" + ref + "' has schema_version " + schema + "; Dify and this plugin read"
                                + " schema_version " + SCHEMA_VERSION + " only");
                return;
            }
            packages.put(ref.toString(), p);
        });
        return new AgentPackages(packages);
    }

    boolean contains(String ref) {
        return packages.containsKey(ref);
    }

    Map<?, ?> get(String ref) {
        return packages.get(ref);
    }

    /**
     * Puts every package into the config ({@code agent_packages.<ref>.*}) and their omitted assets, gathered, into
     * {@code omitted_assets[i]} with the package each came from; compiles each soul's system prompt.
     */
    @SuppressWarnings("unchecked")
    void addTo(Map<String, Object> config, DifyAppCompiler.PromptCollector collector) {
        if (packages.isEmpty()) {
            return;
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        List<Object> omitted = new ArrayList<>();
        packages.forEach((ref, pkg) -> {
            copy.put(ref, pkg);
            if (pkg.get("omitted_assets") instanceof List<?> assets) {
                for (Object asset : assets) {
                    if (asset instanceof Map<?, ?> a) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("package_ref", ref);
                        a.forEach((k, v) -> entry.put(k.toString(), v));
                        omitted.add(entry);
                    }
                }
            }
            String at = ConfigPath.child(ConfigPath.child("agent_packages", ref), "soul");
            if (pkg.get("soul") instanceof Map<?, ?> soul && soul.get("prompt") instanceof Map<?, ?> prompt) {
                collector.add(
                        "agent_packages/" + ref + "/system_prompt",
                        prompt.get("system_prompt"),
                        ConfigPath.child(ConfigPath.child(at, "prompt"), "system_prompt"),
                        PromptSyntax.DIFY,
                        metadata(ref, pkg));
            }
        });
        config.put("agent_packages", copy);
        if (!omitted.isEmpty()) {
            Object existing = config.get("omitted_assets");
            if (existing instanceof List<?> l) {
                List<Object> all = new ArrayList<>((List<Object>) l);
                all.addAll(omitted);
                config.put("omitted_assets", all);
            } else {
                config.put("omitted_assets", omitted);
            }
        }
    }

    /** Metadata of a package's prompts: which package, the agent's name and its model. */
    static Map<String, String> metadata(String ref, Map<?, ?> pkg) {
        Map<String, String> meta = new TreeMap<>();
        meta.put("agent.package_ref", ref);
        if (pkg.get("metadata") instanceof Map<?, ?> m && m.get("name") != null) {
            meta.put("agent.name", m.get("name").toString());
        }
        if (pkg.get("soul") instanceof Map<?, ?> soul && soul.get("model") instanceof Map<?, ?> model) {
            if (model.get("model_provider") != null) {
                meta.put("model.provider", model.get("model_provider").toString());
            }
            if (model.get("model") != null) {
                meta.put("model.name", model.get("model").toString());
            }
        }
        return meta;
    }

    /**
     * An {@code agent} app: its {@code agent} section goes to config, its {@code package_ref} must name a package
     * of the export (Dify's importer refuses it otherwise), and the soul's opening statement, when its
     * {@code app_features} carry one, becomes {@code opening_statement} as for the other chat modes.
     *
     * @return false when the app cannot be compiled (the error is reported)
     */
    boolean compileAgentApp(
            Map<?, ?> root,
            ParsedDocument doc,
            Map<String, Object> config,
            DifyAppCompiler.PromptCollector collector,
            Problems problems) {
        if (!(root.get("agent") instanceof Map<?, ?> agent) || !(agent.get("package_ref") instanceof String ref)) {
            problems.error(
                    doc.file(),
                    doc.line("agent"),
                    0,
                    "an app of mode 'agent' needs 'agent.package_ref' naming one of its 'agent_packages';"
                            + " export the app again from Dify");
            return false;
        }
        config.put("agent", agent);
        if (!packages.containsKey(ref)) {
            problems.error(
                    doc.file(),
                    doc.line("agent.package_ref"),
                    0,
                    "agent.package_ref '" + ref + "' names no package of 'agent_packages' " + packages.keySet()
                            + " (Dify refuses this import too); export the app again from Dify");
            return false;
        }
        Map<?, ?> pkg = packages.get(ref);
        if (pkg.get("soul") instanceof Map<?, ?> soul && soul.get("app_features") instanceof Map<?, ?> features) {
            String at = ConfigPath.child(
                    ConfigPath.child(ConfigPath.child(ConfigPath.child("agent_packages", ref), "soul"), "app_features"),
                    "opening_statement");
            collector.add(
                    "opening_statement", features.get("opening_statement"), at, PromptSyntax.DIFY, metadata(ref, pkg));
        }
        return true;
    }
}
