#!/usr/bin/env python3
"""Prints line and branch coverage per assembly from the coverlet Cobertura reports under a folder.

Each test project measures the shipped assemblies it loads; the reports are merged line by line (a line is covered
when any test project ran it; a line's branches count as in the run that covered most of them).
Usage: eng/coverage-summary.py artifacts/test-results
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1] if len(sys.argv) > 1 else "artifacts/test-results"
reports = sorted(glob.glob(os.path.join(root, "**", "coverage.cobertura.xml"), recursive=True))
if not reports:
    print("coverage: no coverlet report found under " + root)
    sys.exit(0)

lines = {}     # (assembly, file, line) -> hit
branches = {}  # (assembly, file, line) -> (covered, total)
condition = re.compile(r"\((\d+)/(\d+)\)")
for report in reports:
    tree = ET.parse(report)
    for package in tree.iter("package"):
        assembly = package.get("name")
        for cls in package.iter("class"):
            filename = cls.get("filename")
            for line in cls.iter("line"):
                key = (assembly, filename, int(line.get("number")))
                lines[key] = lines.get(key, False) or int(line.get("hits", "0")) > 0
                if line.get("branch") == "True":
                    m = condition.search(line.get("condition-coverage", ""))
                    if m:
                        covered, total = int(m.group(1)), int(m.group(2))
                        best = branches.get(key)
                        if best is None or covered > best[0]:
                            branches[key] = (covered, total)

def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "  n/a "

assemblies = sorted({k[0] for k in lines})
width = max(len(a) for a in assemblies + ["total"])
print(f"coverage (coverlet, {len(reports)} reports, merged per line):")
all_l = all_lc = all_b = all_bc = 0
for a in assemblies:
    l = [v for k, v in lines.items() if k[0] == a]
    b = [v for k, v in branches.items() if k[0] == a]
    lc, bc, bt = sum(l), sum(c for c, _ in b), sum(t for _, t in b)
    all_l += len(l); all_lc += lc; all_b += bt; all_bc += bc
    print(f"  {a:<{width}}  line {pct(lc, len(l))} ({lc}/{len(l)})  branch {pct(bc, bt)} ({bc}/{bt})")
print(f"  {'total':<{width}}  line {pct(all_lc, all_l)} ({all_lc}/{all_l})  branch {pct(all_bc, all_b)} ({all_bc}/{all_b})")
