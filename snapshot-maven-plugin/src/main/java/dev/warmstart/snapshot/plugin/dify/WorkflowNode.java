package dev.warmstart.snapshot.plugin.dify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node of a workflow graph as the prompt extractors see it: its id, its type, its {@code data} map, where that
 * map is in the export ({@code at}, for line numbers) and the metadata every prompt of the node carries.
 */
record WorkflowNode(String id, String type, Map<?, ?> data, String at, Map<String, String> meta) {

    /** @return the prefix of the prompt names of this node, {@code nodes/<id>/} */
    String base() {
        return "nodes/" + id + "/";
    }

    /** @return a copy of the node's metadata ({@code node.id}, {@code node.type}, {@code node.title}) to add to */
    Map<String, String> newMeta() {
        return new TreeMap<>(meta);
    }

    /** @return the graph's nodes that have an id and a {@code data} map, in the export's order */
    static List<WorkflowNode> of(Map<?, ?> workflow) {
        if (!(workflow.get("graph") instanceof Map<?, ?> graph) || !(graph.get("nodes") instanceof List<?> nodes)) {
            return List.of();
        }
        List<WorkflowNode> result = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            if (!(nodes.get(n) instanceof Map<?, ?> node)
                    || !(node.get("data") instanceof Map<?, ?> data)
                    || node.get("id") == null) {
                continue;
            }
            String id = node.get("id").toString();
            String type = String.valueOf(data.get("type"));
            Map<String, String> meta = new TreeMap<>();
            meta.put("node.id", id);
            meta.put("node.type", type);
            if (data.get("title") != null) {
                meta.put("node.title", data.get("title").toString());
            }
            result.add(new WorkflowNode(id, type, data, "workflow.graph.nodes[" + n + "].data", Map.copyOf(meta)));
        }
        return result;
    }
}
