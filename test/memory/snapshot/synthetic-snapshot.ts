// Writes small .heapsnapshot texts by hand, for tests that need an exact, known graph.
export const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];
export const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

export interface SynNode {
  type?: string;
  name?: string;
  id?: number;
  size?: number;
  trace?: number;
}
export interface SynEdge {
  from: number;
  to: number;
  type?: string;
  name?: string | number;
}

export interface SynOptions {
  /** Node field order; default V8's 7 fields. */
  nodeFields?: string[];
  nodeCountOverride?: number;
  edgeCountOverride?: number;
  extra?: string;
}

export function syntheticSnapshot(nodes: SynNode[], edges: SynEdge[], options: SynOptions = {}): string {
  const nodeFields = options.nodeFields ?? ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
  const strings: string[] = [''];
  const str = (s: string) => {
    let k = strings.indexOf(s);
    if (k < 0) {
      k = strings.length;
      strings.push(s);
    }
    return k;
  };
  const sorted = [...edges].sort((a, b) => a.from - b.from);
  const edgeCount = nodes.map((_, i) => sorted.filter((e) => e.from === i).length);
  const nodeValues: number[] = [];
  nodes.forEach((n, i) => {
    for (const f of nodeFields) {
      switch (f) {
        case 'type': nodeValues.push(NODE_TYPES.indexOf(n.type ?? 'object')); break;
        case 'name': nodeValues.push(str(n.name ?? (i === 0 ? '' : `N${i}`))); break;
        case 'id': nodeValues.push(n.id ?? i * 2 + 1); break;
        case 'self_size': nodeValues.push(n.size ?? 0); break;
        case 'edge_count': nodeValues.push(edgeCount[i]); break;
        case 'trace_node_id': nodeValues.push(n.trace ?? 0); break;
        default: nodeValues.push(0);
      }
    }
  });
  const edgeValues: number[] = [];
  for (const e of sorted) {
    const type = e.type ?? 'property';
    const name = e.name ?? `e${e.from}_${e.to}`;
    edgeValues.push(EDGE_TYPES.indexOf(type), type === 'element' || type === 'hidden' ? Number(name) || 0 : str(String(name)), e.to * nodeFields.length);
  }
  const meta = {
    node_fields: nodeFields,
    node_types: nodeFields.map((f) => (f === 'type' ? NODE_TYPES : f === 'name' ? 'string' : 'number')),
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
    trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
    trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
    sample_fields: ['timestamp_us', 'last_assigned_id'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  const header = { meta, node_count: options.nodeCountOverride ?? nodes.length, edge_count: options.edgeCountOverride ?? edges.length, trace_function_count: 0 };
  // Same layout as V8: one node per line, a newline before each comma-led record.
  const rows = (values: number[], stride: number) => {
    const lines: string[] = [];
    for (let k = 0; k < values.length; k += stride) lines.push(values.slice(k, k + stride).join(','));
    return lines.join('\n,');
  };
  return `{"snapshot":${JSON.stringify(header)},\n"nodes":[${rows(nodeValues, nodeFields.length)}],\n"edges":[${rows(edgeValues, 3)}],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n${options.extra ?? ''}"strings":[${strings.map((s) => JSON.stringify(s)).join(',\n')}]}`;
}
