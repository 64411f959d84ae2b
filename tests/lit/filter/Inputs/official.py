"""Filters every Bundle of the official FHIR R4 examples with each service of
the example locality, through the CLI. Checks that nothing crashes, that a
filtered Bundle is valid JSON whose entries are byte for byte entries of the
input, that a malformed Bundle gives exit status 2 with one line, and prints
a summary per service. Every Bundle goes through all three engines, the JIT
(the default), the interpreter and the artefact ARTIFACT (the same agreements
compiled ahead of time): their exit statuses and outputs must be identical."""
import glob
import json
import os
import subprocess
import sys

caldicott, examples_dir, srcroot, artifact = sys.argv[1:5]
services = [("out_of_hours", "out_of_hours_gp"), ("podiatry", "podiatrist"),
            ("community_mental_health", "psychiatrist")]
policies = []
for f in ("out_of_hours", "podiatry", "mental_health"):
    policies += ["--policy", os.path.join(srcroot, "examples", f + ".dsa")]

bundles = []
for path in sorted(glob.glob(os.path.join(examples_dir, "*.json"))):
    try:
        with open(path, encoding="utf-8") as f:
            if json.load(f).get("resourceType") == "Bundle":
                bundles.append(path)
    except (ValueError, UnicodeDecodeError):
        pass
print(f"bundles: {len(bundles)}")
failures = 0
for agreement, role in services:
    counts = {0: 0, 2: 0, 3: 0}
    kept = total = 0
    for path in bundles:
        request = ["--agreement", agreement, "--role", role, "--at", "2026-06-01", path]
        run = subprocess.run([caldicott, "filter", *policies, *request], capture_output=True)
        for other in (["--engine", "interp", *policies], ["--artifact", artifact]):
            again = subprocess.run([caldicott, "filter", *other, *request], capture_output=True)
            if (again.returncode, again.stdout) != (run.returncode, run.stdout):
                print(f"FAIL {agreement} {os.path.basename(path)}: {other[:2]} differs from the "
                      f"JIT: exit {again.returncode} vs {run.returncode}")
                failures += 1
        if run.returncode not in counts:
            print(f"FAIL {agreement} {os.path.basename(path)}: exit {run.returncode}: "
                  f"{run.stderr.decode(errors='replace')[:200]}")
            failures += 1
            continue
        counts[run.returncode] += 1
        if run.returncode == 0:
            out = json.loads(run.stdout.decode("utf-8"))
            source = open(path, encoding="utf-8").read()
            entries = out.get("entry", [])
            kept += len(entries)
            total += len(json.loads(source).get("entry", []))
            for e in entries:
                if e["resource"]["resourceType"] == "Composition":
                    continue  # a document's Composition may be rewritten
                if json.dumps(e, sort_keys=True) not in {
                        json.dumps(x, sort_keys=True) for x in json.loads(source)["entry"]}:
                    print(f"FAIL {agreement} {os.path.basename(path)}: an entry changed")
                    failures += 1
                    break
        else:
            lines = run.stderr.decode().strip().splitlines()
            if len(lines) != 1 or run.stdout:
                print(f"FAIL {agreement} {os.path.basename(path)}: not one line, or output")
                failures += 1
    print(f"{agreement}: filtered {counts[0]}, does not apply {counts[3]}, malformed {counts[2]}; "
          f"kept {kept} of {total} entries")
print(f"failures: {failures}")
