"""Compares the functions caldicott.h declares with the dynamic symbols of
the libcaldicott.so that the host program loads."""
import os
import re
import subprocess
import sys

header, host = sys.argv[1:3]
declared = sorted(set(re.findall(r"^\s*(?:const\s+)?[\w ]+?\**\s*\b(caldicott_\w+)\(",
                                 open(header).read(), re.M)))
lib = next(line.split("=>")[1].split()[0]
           for line in subprocess.run(["ldd", host], capture_output=True, text=True).stdout.splitlines()
           if "libcaldicott.so" in line)
symbols = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True,
                         text=True).stdout.split()
missing = [d for d in declared if d not in symbols]
print(f"declared {len(declared)}, exported {len(declared) - len(missing)}")
print("missing: " + (", ".join(missing) if missing else "none"))
