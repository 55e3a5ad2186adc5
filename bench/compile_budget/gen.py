#!/usr/bin/env python3
"""Writes the compile-budget translation units from the *.cpp.in templates.

usage: gen.py OUT_DIR [--chain-steps S] [--multi-steps S] [--outputs K]

chain.cpp:        v1 = tanh(v0) * 0.5f + y, v2 = sigmoid(v1) * y - y, ...
                  (a unary op then one or two binary ops per step, cycling
                  through four patterns, 3.25 nodes a step on average);
                  returns the last value.
chain_eager.cpp:  the same chain evaluated on tensors without trace().
baseline.cpp:     the umbrella header and a 6-node traced call (no parameters).
multi_output.cpp: a chain of value-free steps (2 nodes each), with K of its
                  values (evenly spaced, the last one included) returned as a
                  std::tuple.
"""
import argparse
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# Per step: a pattern over {p} (the previous value), x and y (the inputs).
# Every step's value has a new type, so each gets its own variable v<i>.
#
# Each pattern uses {p} once. ctrace merges repeated subexpressions only when
# they are value-free (no scalar constant inside); a value that contains a
# constant and is used twice becomes two copies in the graph, so a chain that
# reused {p} would grow exponentially rather than to ~200 nodes.
CHAIN_STEPS = [
    "tanh({p}) * 0.5f + y",     # unary, constant, mul, add: 4 nodes
    "sigmoid({p}) * y - y",     # 3 nodes
    "exp({p}) / (y + 2.0f)",    # exp, constant, add, div: 4 nodes
    "sin({p}) + y * y",         # sin, add: 2 nodes (y * y is one shared node)
]
# Value-free steps (no constants), so the values the outputs share are single
# nodes of one DAG: 2 nodes a step (x + y is one shared node).
MULTI_STEPS = [
    "tanh({p}) * y",
    "sigmoid({p}) - y",
    "exp({p}) / (x + y)",
    "sin({p}) + y",
]


def body(steps, patterns):
    lines = ["    auto v0 = x;"]
    for i in range(steps):
        lines.append(f"    auto v{i + 1} = {patterns[i % len(patterns)].format(p=f'v{i}')};")
    return "\n".join(lines)


def render(template, out_path, **subst):
    with open(os.path.join(HERE, template)) as f:
        text = f.read()
    for k, v in subst.items():
        text = text.replace(f"@{k}@", str(v))
    with open(out_path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--chain-steps", type=int, default=62)
    ap.add_argument("--chain-min-nodes", type=int, default=200)
    ap.add_argument("--multi-steps", type=int, default=24)
    ap.add_argument("--multi-min-nodes", type=int, default=50)
    ap.add_argument("--outputs", type=int, default=10)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    render("baseline.cpp.in", os.path.join(a.out_dir, "baseline.cpp"))
    render("chain.cpp.in", os.path.join(a.out_dir, "chain.cpp"), STEPS=a.chain_steps,
           MIN_NODES=a.chain_min_nodes, BODY=body(a.chain_steps, CHAIN_STEPS), RESULT=f"v{a.chain_steps}")
    render("chain_eager.cpp.in", os.path.join(a.out_dir, "chain_eager.cpp"), STEPS=a.chain_steps,
           BODY=body(a.chain_steps, CHAIN_STEPS), RESULT=f"v{a.chain_steps}")
    # Outputs: K values evenly spaced along the chain, the last one included.
    keep = [round((k + 1) * a.multi_steps / a.outputs) for k in range(a.outputs)]
    assert len(set(keep)) == a.outputs and min(keep) >= 1, "need at least as many steps as outputs"
    render("multi_output.cpp.in", os.path.join(a.out_dir, "multi_output.cpp"), STEPS=a.multi_steps,
           MIN_NODES=a.multi_min_nodes, OUTPUTS=a.outputs, BODY=body(a.multi_steps, MULTI_STEPS),
           OUTS=", ".join(f"v{i}" for i in keep))


if __name__ == "__main__":
    main()
