#!/usr/bin/env bash
# Checks that the workspace's `rust-version` (Cargo.toml) is the real minimum: the largest
# `rust_version` any locked package declares (per `cargo metadata`), and that every member
# inherits it. Exit 1 with the packages that need more, or the members that do not inherit.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --locked --all-features | python3 -c '
import json, re, sys

meta = json.load(sys.stdin)
text = open("Cargo.toml").read()
declared = re.search(r"^rust-version\s*=\s*\"([^\"]+)\"", text, re.M)
if not declared:
    sys.exit("check-rust-version: Cargo.toml [workspace.package] has no rust-version")
declared = declared.group(1)

def key(v):
    return tuple(int(p) for p in v.split("."))

members = set(meta["workspace_members"])
need = max((key(p["rust_version"]), p["name"], p["version"])
           for p in meta["packages"] if p.get("rust_version") and p["id"] not in members)
needed = ".".join(str(p) for p in need[0])
problems = []
if key(declared) != need[0]:
    problems.append("rust-version is %s, but %s %s needs %s" % (declared, need[1], need[2], needed))
for p in meta["packages"]:
    if p["id"] in members and p.get("rust_version") != declared:
        problems.append("%s does not inherit rust-version (rust-version.workspace = true)" % p["name"])
if problems:
    sys.exit("check-rust-version:\n  " + "\n  ".join(problems))
print("check-rust-version: %s (the largest of the locked packages: %s %s)" % (declared, need[1], need[2]))
'
