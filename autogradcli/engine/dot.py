"""Graphviz DOT export of the graph behind a tensor: one node per operation and per leaf."""

from .function import Op

_LEAF = "shape=box, style=filled, fillcolor=lightblue"
_OP = "shape=box, style=rounded"
_OUT = "shape=box, style=filled, fillcolor=darkolivegreen1"


def _label(text):
    return '"' + text.replace("\\", "\\\\").replace('"', r"\"").replace("\n", r"\n") + '"'


def _leaf_text(name, t):
    shape = "(" + ", ".join(str(n) for n in t.shape) + ")"
    return f"{name}\n{shape}" if name else shape


def to_dot(tensor, params=None) -> str:
    """DOT source for the graph that produced `tensor`, with stable node ids (n0, n1, ...).

    params maps names to tensors: leaves are labelled with their name, a named intermediate (the
    tutorial's u) labels the operation that produced it, and a named output labels the result.
    """
    params = params or {}
    leaf_names = {id(t): name for name, t in params.items() if t.grad_fn is None}
    node_names = {id(t.grad_fn): name for name, t in params.items() if t.grad_fn is not None}
    ids = {}

    def node_id(obj):
        return ids.setdefault(id(obj), f"n{len(ids)}")

    lines = ["digraph autograd {", '  graph [rankdir=BT, fontname="Helvetica"];',
             '  node [fontname="Helvetica", fontsize=11];']
    out_name = next((n for n, t in params.items() if t is tensor), "output")
    if tensor.grad_fn is None:
        label = _label(_leaf_text(out_name, tensor))
        lines.append(f"  {node_id(tensor)} [label={label}, {_LEAF}];")
        return "\n".join([*lines, "}"]) + "\n"
    lines.append(f"  out [label={_label(_leaf_text(out_name, tensor))}, {_OUT}];")
    lines.append(f"  {node_id(tensor.grad_fn)} -> out;")
    stack, seen = [tensor.grad_fn], {id(tensor.grad_fn)}
    while stack:
        node = stack.pop()
        text = node.name()
        if id(node) in node_names:
            text = f"{node_names[id(node)]}\n{text}"
        lines.append(f"  {node_id(node)} [label={_label(text)}, {_OP}];")
        for parent in node.parents:
            if parent is None:
                continue
            lines.append(f"  {node_id(parent)} -> {node_id(node)};")
            if id(parent) in seen:
                continue
            seen.add(id(parent))
            if isinstance(parent, Op):
                stack.append(parent)
            else:
                text = _leaf_text(leaf_names.get(id(parent), ""), parent)
                lines.append(f"  {node_id(parent)} [label={_label(text)}, {_LEAF}];")
    return "\n".join([*lines, "}"]) + "\n"
