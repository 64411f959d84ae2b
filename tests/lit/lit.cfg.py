# lit configuration for Caldicott's golden-file tests.
#
# One `.dsa` (or `.test`) file per case. RUN lines drive the CLI; CHECK lines
# sit next to the code that provokes them, e.g.
#   share problems where code in code-group x
#   // CHECK: [[@LINE-1]]:46: error: expected `;` after `x` [E0101]
# Files named fail_*.dsa expect errors; only they do.
import os

import lit.formats

config.name = "caldicott"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".dsa", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.join(config.source_root, "tests/lit")

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["NO_COLOR"] = "1"

expect_exit = os.path.join(config.test_source_root, "expect_exit.py")
config.substitutions.append(("%caldicott", config.caldicott))
config.substitutions.append(("%host", config.host))
config.substitutions.append(("%fhir_examples", config.fhir_examples))
config.substitutions.append(("%hl7_terminology", config.hl7_terminology))
config.substitutions.append(("%expect-exit", f"{config.python} {expect_exit}"))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%srcroot", config.source_root))
