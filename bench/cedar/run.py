#!/usr/bin/env python3
"""Caldicott against the Cedar policy engine (bench/cedar/README.md).

    python3 bench/cedar/run.py [BUILD_DIR] [--entries N] [--min-time S] [--check-only] [--mutants]

For each agreement of the example locality, with a role it grants and a
request date inside `effective`:

1. caldicott_cedar_export writes the agreement as Cedar policies, the
   generated entries as Cedar entities, and the reference interpreter's
   decisions (with every share and exclude that matched);
2. caldicott_cedar_ours decides the same entries through the C API with each
   backend the library has, writes the decisions and times them;
3. decide.mjs decides them with @cedar-policy/cedar-wasm in Node and times it;
4. every decision is compared: Cedar's allow/deny with ours, and Cedar's
   reasons (the policies that decided) with the rules that matched.

Then a table of decisions per second. Exit status 0 when every decision is
equal, 1 when any differs (the differences are listed), 2 when something
could not run. --check-only compares on a smaller batch and times nothing
(this is the CTest test cedar_peer_equal); --mutants also checks that two
deliberate mistranslations are caught. The agreement of bench/cedar/kleene.dsa
(three-valued logic) is always checked, never timed.

Builds nothing: build first (ninja -C BUILD_DIR caldicott_cedar_export
caldicott_cedar_ours). Installs the pinned npm package into
BUILD_DIR/bench/cedar/npm when it is not there.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOCALITY = [os.path.join(ROOT, "examples", f)
            for f in ("podiatry.dsa", "out_of_hours.dsa", "mental_health.dsa")]
KLEENE = [os.path.join(HERE, "kleene.dsa")]

# (agreement, role, files, timed)
CASES = [
    ("podiatry", "podiatrist", LOCALITY, True),
    ("out_of_hours", "out_of_hours_gp", LOCALITY, True),
    ("community_mental_health", "psychiatrist", LOCALITY, True),
    ("kleene_check", "records_auditor", KLEENE, False),
]
MUTATIONS = ["two-valued", "confidential-r"]
REASONS = {0: "shared", 1: "excluded", 2: "no share", 3: "does not apply", 4: "malformed",
           5: "no engine"}


class SetupError(Exception):
    pass


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        raise SetupError("%s failed (exit %d):\n%s%s" % (
            os.path.basename(cmd[0]) if cmd[0] != "node" else " ".join(cmd[:2]),
            r.returncode, r.stdout, r.stderr))
    if r.stderr.strip():
        sys.stderr.write(r.stderr)
    return r.stdout


def ensure_npm(npm_dir, npm):
    """npm ci of the pinned package-lock.json into npm_dir, as CMake does."""
    lock = os.path.join(HERE, "package-lock.json")
    with open(lock, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    marker = os.path.join(npm_dir, "installed.sha256")
    pkg = os.path.join(npm_dir, "node_modules", "@cedar-policy", "cedar-wasm", "package.json")
    if os.path.exists(pkg) and os.path.exists(marker):
        with open(marker) as f:
            if f.read().strip() == sha:
                return os.path.join(npm_dir, "node_modules")
    os.makedirs(npm_dir, exist_ok=True)
    shutil.copy(os.path.join(HERE, "package.json"), npm_dir)
    shutil.copy(lock, npm_dir)
    print("installing @cedar-policy/cedar-wasm into %s (npm ci)" % npm_dir, file=sys.stderr)
    run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"], cwd=npm_dir)
    with open(marker, "w") as f:
        f.write(sha)
    return os.path.join(npm_dir, "node_modules")


def load(path):
    with open(path) as f:
        return json.load(f)


def rule_number(policy_id):
    assert policy_id.startswith("rule"), policy_id
    return int(policy_id[4:])


def compare_expected(expected, cedar):
    """The reference interpreter, with the sets of rules that matched,
    against Cedar's decision and reasons. Yields (entry, why)."""
    for i, (exp, ced) in enumerate(zip(expected, cedar)):
        verdict, reason, rule, shares, excludes = exp
        decision, reasons, errors = ced
        if errors or decision == "failure":
            yield i, "Cedar reported errors: %s" % errors
            continue
        got = sorted(rule_number(r) for r in reasons)
        if decision == "allow":
            # Cedar's reasons for an allow: every permit that held.
            ok = verdict == 1 and reason == 0 and got == shares and not excludes
        elif got:
            # For a deny: every forbid that held.
            ok = verdict == 0 and reason == 1 and got == excludes
        else:
            ok = verdict == 0 and reason == 2 and not excludes and not shares
        if not ok:
            yield i, ("ours: %s by rule %d (shares matched %s, excludes matched %s); "
                      "Cedar: %s by %s" % (REASONS.get(reason, reason), rule, shares, excludes,
                                            decision, reasons or "no policy"))


def compare_ours(ours, cedar):
    """A backend's decisions (verdict, reason, deciding rule) against Cedar's:
    the deciding rule is the first exclude that matched, else the first
    share, i.e. the lowest number among Cedar's reasons."""
    for i, (o, ced) in enumerate(zip(ours, cedar)):
        verdict, reason, rule = o
        decision, reasons, errors = ced
        nums = sorted(rule_number(r) for r in reasons)
        if errors or decision == "failure":
            yield i, "Cedar reported errors: %s" % errors
            continue
        if decision == "allow":
            ok = verdict == 1 and reason == 0 and nums and rule == nums[0]
        elif nums:
            ok = verdict == 0 and reason == 1 and rule == nums[0]
        else:
            ok = verdict == 0 and reason == 2 and rule == 0
        if not ok:
            yield i, "ours: %s by rule %d; Cedar: %s by %s" % (
                REASONS.get(reason, reason), rule, decision, reasons or "no policy")


def export(tools, case, out, args, mutation=None):
    agreement, role, files, _ = case
    cmd = [tools["export"], "--agreement", agreement, "--role", role, "--at", args.at,
           "--entries", str(args.entries), "--seed", str(args.seed), "--out", out]
    if mutation:
        cmd += ["--mutation", mutation]
    run(cmd + files)


def cedar(args, modules, out, min_time):
    return json.loads(run([args.node, os.path.join(HERE, "decide.mjs"), "--dir", out,
                           "--modules", modules, "--min-time", str(min_time)]))


def ours(tools, case, out, args, min_time):
    agreement, role, files, _ = case
    return json.loads(run([tools["ours"], "--agreement", agreement, "--role", role,
                           "--at", args.at, "--entries", str(args.entries), "--seed",
                           str(args.seed), "--min-time", str(min_time), "--decisions", out]
                          + files))


def report(label, diffs, entities, limit=15):
    print("  %s: %d difference(s)" % (label, len(diffs)))
    for i, why in diffs[:limit]:
        attrs = entities[i]["attrs"]
        print("    entry e%d %s: %s" % (i, json.dumps(attrs, separators=(",", ":")), why))
    if len(diffs) > limit:
        print("    ... and %d more" % (len(diffs) - limit))


def check_case(tools, case, args, modules, timed):
    """Exports, decides both ways, compares. Returns (ok, row)."""
    agreement = case[0]
    out = os.path.join(args.work, agreement)
    shutil.rmtree(out, ignore_errors=True)
    export(tools, case, out, args)
    min_time = args.min_time if timed else 0
    o = ours(tools, case, out, args, min_time)
    c = cedar(args, modules, out, min_time)
    request = load(os.path.join(out, "request.json"))
    expected = load(os.path.join(out, "expected.json"))["decisions"]
    decided = load(os.path.join(out, "cedar.json"))["decisions"]
    entities = load(os.path.join(out, "entities.json"))
    ok = len(decided) == len(expected) == args.entries
    if not ok:
        print("  %s: Cedar decided %d entries, ours %d, of %d" % (
            agreement, len(decided), len(expected), args.entries))
    labels = []
    diffs = list(compare_expected(expected, decided))
    labels.append("reference interpreter")
    if diffs:
        ok = False
        report("%s, Cedar vs the reference interpreter (rule sets)" % agreement, diffs, entities)
    backends = {}
    for r in o["results"]:
        b = r["backend"]
        if "error" in r:
            print("  %s: backend %s unavailable: %s" % (agreement, b, r["error"]))
            continue
        backends[b] = r
        mine = load(os.path.join(out, "ours-%s.json" % b))["decisions"]
        if len(mine) != len(decided):
            ok = False
            print("  %s: backend %s decided %d entries, Cedar %d" % (
                agreement, b, len(mine), len(decided)))
        d = list(compare_ours(mine, decided))
        labels.append("C API %s" % b)
        if d:
            ok = False
            report("%s, Cedar vs C API backend %s" % (agreement, b), d, entities)
    counts = {"allow": 0, "forbid": 0, "none": 0}
    for decision, reasons, _ in decided:
        counts["allow" if decision == "allow" else "forbid" if reasons else "none"] += 1
    print("%-24s %6d entries: %s  (%s; allowed %d, forbidden %d, no permit %d)" % (
        agreement, len(decided), "EQUAL" if ok else "DIFFERENT", " = ".join(["Cedar"] + labels),
        counts["allow"], counts["forbid"], counts["none"]))
    row = {"agreement": agreement, "role": case[1], "entries": len(decided),
           "codes": sum(request["code_sets"].values()),
           "largest": max(request["code_sets"].values(), default=0),
           "policies": len(request["rules"]),
           "cedar": c.get("decisions_per_s"), "cedar_version": c["cedar_version"],
           "backends": backends}
    return ok, row


def check_mutants(tools, args, modules):
    """Each deliberate mistranslation must show as differences somewhere."""
    ok = True
    for mutation in MUTATIONS:
        found = 0
        for case in CASES:
            out = os.path.join(args.work, "mutant-%s-%s" % (mutation, case[0]))
            shutil.rmtree(out, ignore_errors=True)
            export(tools, case, out, args, mutation)
            cedar(args, modules, out, 0)
            expected = load(os.path.join(out, "expected.json"))["decisions"]
            decided = load(os.path.join(out, "cedar.json"))["decisions"]
            found += sum(1 for _ in compare_expected(expected, decided))
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
        caught = found > 0
        ok = ok and caught
        print("mutant %-16s %s (%d differing decisions)" % (
            mutation, "caught" if caught else "NOT CAUGHT", found))
    return ok


def fmt(n):
    return "—" if n is None else "{:,}".format(int(n))


def table(rows):
    names = sorted({b for r in rows for b in r["backends"]},
                   key=lambda b: {"interp": 0, "default": 1, "jit": 2}.get(b, 3))
    head = ["entries", "agreement (role)", "policies", "codes in sets (largest)", "Cedar dec/s"]
    head += ["ours %s dec/s" % b for b in names] + ["ratio"]
    lines = [head]
    for r in rows:
        best = names[-1] if names else None
        mine = r["backends"].get(best, {}).get("decisions_per_s") if best else None
        ratio = ("%.0fx (%s)" % (mine / r["cedar"], best)) if mine and r["cedar"] else "—"
        lines.append([fmt(r["entries"]), "%s (%s)" % (r["agreement"], r["role"]),
                      str(r["policies"]), "%d (%d)" % (r["codes"], r["largest"]),
                      fmt(r["cedar"])]
                     + [fmt(r["backends"].get(b, {}).get("decisions_per_s")) for b in names]
                     + [ratio])
    widths = [max(len(l[i]) for l in lines) for i in range(len(head))]
    print()
    for n, l in enumerate(lines):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build", nargs="?", default=os.path.join(ROOT, "build"),
                   help="the build directory (default: build/)")
    p.add_argument("--entries", type=int, help="entries per agreement (10000; 2000 with "
                   "--check-only)")
    p.add_argument("--seed", type=int, default=20261125)
    p.add_argument("--at", default="2026-06-01", help="the request date")
    p.add_argument("--min-time", type=float, default=1.0,
                   help="seconds of timed work per engine and agreement")
    p.add_argument("--check-only", action="store_true", help="compare decisions, time nothing")
    p.add_argument("--mutants", action="store_true",
                   help="also check that deliberate mistranslations are caught")
    p.add_argument("--work", help="where to write (default BUILD/bench/cedar/run)")
    p.add_argument("--keep", action="store_true", help="keep the mutants' files")
    p.add_argument("--node", default=shutil.which("node") or "node")
    p.add_argument("--npm", default=shutil.which("npm") or "npm")
    args = p.parse_args()
    if args.entries is None:
        args.entries = 2000 if args.check_only else 10000
    if args.check_only:
        args.min_time = 0
    build = os.path.abspath(args.build)
    tools = {k: os.path.join(build, "bench", "cedar", "caldicott_cedar_" + k)
             for k in ("export", "ours")}
    for t in tools.values():
        if not os.access(t, os.X_OK):
            print("run.py: %s is missing; build it first: ninja -C %s caldicott_cedar_export "
                  "caldicott_cedar_ours" % (t, args.build), file=sys.stderr)
            return 2
    args.work = os.path.abspath(args.work or os.path.join(build, "bench", "cedar", "run"))
    os.makedirs(args.work, exist_ok=True)
    try:
        modules = ensure_npm(os.path.join(build, "bench", "cedar", "npm"), args.npm)
        started = time.time()
        ok, rows = True, []
        for case in CASES:
            timed = case[3] and not args.check_only
            case_ok, row = check_case(tools, case, args, modules, timed)
            ok = ok and case_ok
            if timed:
                rows.append(row)
        if args.mutants:
            ok = check_mutants(tools, args, modules) and ok
    except SetupError as e:
        print("run.py: %s" % e, file=sys.stderr)
        return 2
    if rows:
        table(rows)
        print("\nCedar %s in Node %s, preparsed policy set, one statefulIsAuthorized per entry; "
              "ours through caldicott_decide on one thread; request date %s; %.0f s in all." % (
                  rows[0]["cedar_version"], run([args.node, "--version"]).strip(), args.at,
                  time.time() - started))
    print("\nall decisions equal" if ok else "\nDECISIONS DIFFER (or a mutant was not caught)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
