package dev.warmstart.snapshot.plugin.dify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The workflow as config: features, variables, and each node's data keyed by node id, canvas noise dropped. */
final class WorkflowConfig {
    /** Node data keys that only the Dify canvas uses. */
    private static final Set<String> UI_NODE_KEYS = Set.of(
            "selected",
            "position",
            "positionAbsolute",
            "width",
            "height",
            "sourcePosition",
            "targetPosition",
            "zIndex",
            "dragging",
            "desc_height");

    private WorkflowConfig() {}

    /** @param nodeDataPaths receives each node id's document path of its data, in graph order */
    static Map<String, Object> of(Map<?, ?> workflow, Map<String, String> nodeDataPaths) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (workflow.get("features") != null) {
            out.put("features", workflow.get("features"));
        }
        if (workflow.get("environment_variables") instanceof List<?> env) {
            List<Object> vars = new ArrayList<>();
            for (Object v : env) {
                if (v instanceof Map<?, ?> m) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    m.forEach((k, val) -> copy.put(k.toString(), val));
                    // A secret environment variable's value never goes into a snapshot.
                    if ("secret".equals(m.get("value_type"))) {
                        copy.remove("value");
                    }
                    vars.add(copy);
                }
            }
            out.put("environment_variables", vars);
        }
        if (workflow.get("conversation_variables") != null) {
            out.put("conversation_variables", workflow.get("conversation_variables"));
        }
        Map<String, Object> nodes = new LinkedHashMap<>();
        List<Object> edges = new ArrayList<>();
        if (workflow.get("graph") instanceof Map<?, ?> graph) {
            if (graph.get("nodes") instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof Map<?, ?> node && node.get("id") != null) {
                        String id = node.get("id").toString();
                        nodeDataPaths.put(id, "workflow.graph.nodes[" + i + "].data");
                        Map<String, Object> data = new LinkedHashMap<>();
                        if (node.get("data") instanceof Map<?, ?> d) {
                            d.forEach((k, v) -> {
                                if (!UI_NODE_KEYS.contains(k)) {
                                    data.put(k.toString(), v);
                                }
                            });
                        }
                        if (node.get("parentId") != null) {
                            data.put("parentId", node.get("parentId"));
                        }
                        nodes.put(id, data);
                    }
                }
            }
            if (graph.get("edges") instanceof List<?> list) {
                for (Object e : list) {
                    if (e instanceof Map<?, ?> edge) {
                        Map<String, Object> copy = new LinkedHashMap<>();
                        for (String k : List.of("source", "sourceHandle", "target", "targetHandle")) {
                            if (edge.get(k) != null) {
                                copy.put(k, edge.get(k));
                            }
                        }
                        edges.add(copy);
                    }
                }
            }
        }
        out.put("nodes", nodes);
        out.put("edges", edges);
        return out;
    }
}
