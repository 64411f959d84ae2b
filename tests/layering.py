#!/usr/bin/env python3
"""The dependency rules of docs/architecture.md, checked on the source.

Every folder of the product belongs to one layer; a file may include headers
of its own folder and of folders in lower layers only, so the arrows between
folders run one way and no phase includes a later one. Two more rules:
ANTLR's headers only in compiler/parse (and the grammar), LLVM's only in
compiler/codegen and runtime/native. Tools, benchmarks, tests and examples
sit above everything and are not checked.

Usage: layering.py REPO_ROOT. Prints every breach and exits 1 when there is
one; `--print` prints the layers.
"""
import re
import subprocess
import sys

# Bottom to top. A folder may include only folders of lower layers.
LAYERS = [
    ["runtime/abi", "compiler/base"],          # the ABI and the base library
    ["compiler/source"],
    ["compiler/diagnostics", "compiler/ast", "compiler/schema", "stdlib"],
    ["compiler/parse"],
    ["compiler/load"],
    ["compiler/check"],
    ["compiler/ir"],
    ["compiler/lower", "compiler/interp", "compiler/codegen"],
    ["compiler/pipeline", "runtime/fhir", "runtime/artifact", "runtime/native"],
    ["compiler/aot", "runtime/engine"],
    ["compiler/driver"],                       # the command line, on top
]
LAYER_OF = {folder: i for i, layer in enumerate(LAYERS) for folder in layer}
# Whose headers each third-party include prefix may appear in.
CONFINED = {
    "antlr4-runtime.h": {"compiler/parse"},
    "llvm/": {"compiler/codegen", "runtime/native"},
}
INCLUDE = re.compile(r'\s*#\s*include\s*([<"])([^>"]+)[>"]')


def folder_of(path):
    """The layered folder a repository path (or an include path) is in."""
    if path.startswith("caldicott/") or path.startswith("runtime/include/"):
        return "runtime/abi"  # the C header and its lists are the ABI's
    parts = path.split("/")
    if parts[0] == "stdlib":
        return "stdlib"
    if parts[0] in ("compiler", "runtime") and len(parts) > 2:
        return "/".join(parts[:2])
    return None


def main():
    root = sys.argv[1]
    if "--print" in sys.argv:
        for i, layer in enumerate(LAYERS):
            print(i, " ".join(layer))
        return 0
    files = subprocess.check_output(
        ["git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard",
         "compiler", "runtime", "stdlib"], text=True).split()
    breaches = []
    seen = set()
    for f in files:
        if not f.endswith((".cpp", ".h", ".hpp", ".def", ".c")):
            continue
        here = folder_of(f)
        if here is None:
            continue
        if here not in LAYER_OF:
            breaches.append(f"{f}: folder `{here}` has no layer in tests/layering.py")
            continue
        seen.add(here)
        test = f.endswith("_test.cpp")  # a test may use what it tests with
        with open(f"{root}/{f}", encoding="utf-8", errors="replace") as text:
            for number, line in enumerate(text, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                included = m.group(2)
                for prefix, allowed in CONFINED.items():
                    if included.startswith(prefix) and here not in allowed:
                        breaches.append(f"{f}:{number}: includes <{included}>, which only "
                                        f"{', '.join(sorted(allowed))} may")
                if m.group(1) != '"' or test:
                    continue
                there = folder_of(included)
                if there is None or there == here:
                    continue
                if there not in LAYER_OF:
                    breaches.append(f"{f}:{number}: includes `{included}` of an unlayered folder")
                elif LAYER_OF[there] >= LAYER_OF[here]:
                    breaches.append(f"{f}:{number}: `{here}` (layer {LAYER_OF[here]}) includes "
                                    f"`{included}` of `{there}` (layer {LAYER_OF[there]})")
    for folder in LAYER_OF:
        if folder not in seen:
            breaches.append(f"tests/layering.py names `{folder}`, which has no source")
    for b in breaches:
        print(b)
    print(f"layering: {len(files)} files, {len(LAYERS)} layers, {len(breaches)} breaches")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
