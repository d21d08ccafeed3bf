// libyaml for Swift. The spec loader uses the document API (yaml_parser_load) because its
// nodes keep start and end marks: every diagnostic points at file:line:col.
#ifndef ACCORD_CYAML_SHIM_H
#define ACCORD_CYAML_SHIM_H
#include <yaml.h>

/// The node with 1-based `index` in `document`, or NULL: yaml_document_get_node is a
/// function already, this wrapper only documents that indexes start at 1.
static inline yaml_node_t *accord_yaml_node(yaml_document_t *document, int index) {
    return yaml_document_get_node(document, index);
}
#endif
