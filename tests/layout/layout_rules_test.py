#!/usr/bin/env python3
"""The layout rules of docs/architecture.md ("Layout rules"), checked on the tree.

    python3 tests/layout/layout_rules_test.py            # checks INNOSCOPE_SOURCE_DIR or ../..

Rules (each is a function below, named in every finding):
  pure-lib        libs/{common,config,index,scoring,graph,synth,recompute,report} include no
                  gRPC, protobuf, libpqxx, libs/storage, libs/server or libs/clients
  lib-service     nothing under libs/ includes services/*
  service-service a service (services/<x>/) includes no other folder under services/
  cli-client      services/cli includes no libs/storage and no libpqxx (it talks to the
                  services through their contracts only)
  bench-libs      bench/ includes nothing from services/ (benchmarks measure libraries)
  file-size       no source file under libs/ or services/ has more than 800 lines
  cli-size        services/cli, a client (commands, file readers, output), stays under
                  8,000 lines in all
  pooler-safe     no source under libs/ or services/ uses named prepared statements
                  (pqxx prepare/exec_prepared, PQprepare) or session-level advisory locks
                  (pg_advisory_lock, pg_try_advisory_lock, pg_advisory_unlock): both break
                  behind PgBouncer in transaction pooling (docs/operations.md, "PgBouncer")
  top-level       the top level holds only the project's fixed entries (TOP_LEVEL); tools
                  and scripts live under deploy/ (the files git tracks when the root is a
                  checkout, so build trees and local state do not count; dot files aside)

Python standard library only. The self-tests plant each violation in a scratch tree and
check that it is reported, so a rule that cannot fail is caught here.
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest
from typing import Dict, Iterator, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("INNOSCOPE_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))

PURE_LIBS = ("common", "config", "index", "scoring", "graph", "synth", "recompute", "report")
MAX_LINES = 800
CLI_MAX_LINES = 8000
TOP_LEVEL = frozenset(("CMakeLists.txt", "README.md", "buf.yaml", "proto", "services", "libs",
                       "deploy", "k8s", "tests", "bench", "docs", "examples"))
SOURCE_EXTENSIONS = (".cc", ".h")
# What breaks behind a transaction pooler: named prepared statements (PgBouncer
# 1.18 does not carry them from one transaction to the next) and session-level
# advisory locks (they stay on whichever server connection ran them).
POOLER_UNSAFE = re.compile(r"\.prepare\s*\(|\bexec_prepared\b|\bPQ(send)?[Pp]repare\b|"
                           r"\bpg_(try_)?advisory_lock(_shared)?\b|\bpg_advisory_unlock")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
# What a pure library may not include: transport, wire format, SQL, and the
# libraries built on them.
TRANSPORT = re.compile(r"^(grpc|grpcpp|grpc\+\+)/|^google/protobuf/|\.pb\.h$|^pqxx|"
                       r"^libs/(storage|server|clients)/")


def SourceFiles(root: str, top: str) -> Iterator[str]:
    """Paths (relative to root, with '/') of the C++ sources under root/top."""
    base = os.path.join(root, top)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "testdata")
        for name in sorted(filenames):
            if name.endswith(SOURCE_EXTENSIONS):
                yield os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")


def Includes(root: str, path: str) -> List[Tuple[int, str]]:
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        text = f.read()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in INCLUDE.finditer(text)]


def TopLevel(root: str) -> Dict[str, str]:
    """Each top-level entry of root with one file in it, of the files git tracks when root is
    a checkout (all files otherwise); dot entries aside."""
    if os.path.exists(os.path.join(root, ".git")):
        tracked = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                                 capture_output=True).stdout.decode("utf-8")
        paths = sorted(path for path in tracked.split("\0") if path)
    else:
        paths = sorted(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")
                       for d, _, files in os.walk(root) for f in files)
    entries = {}  # type: Dict[str, str]
    for path in paths:
        if not path.startswith("."):
            entries.setdefault(path.split("/")[0], path)
    return entries


def Violations(root: str) -> List[str]:
    """Every broken rule as 'rule: path:line: what'; [] when the tree keeps them all."""
    found = []
    for name, example in sorted(TopLevel(root).items()):
        if name not in TOP_LEVEL:
            found.append("top-level: %s (%s): not one of the fixed top-level entries (%s)"
                         % (name, example, " ".join(sorted(TOP_LEVEL))))
    for path in SourceFiles(root, "libs"):
        lib = path.split("/")[1]
        for line, inc in Includes(root, path):
            if inc.startswith("services/"):
                found.append("lib-service: %s:%d: includes %s" % (path, line, inc))
            elif lib in PURE_LIBS and TRANSPORT.search(inc):
                found.append("pure-lib: %s:%d: libs/%s is pure computation but includes %s"
                             % (path, line, lib, inc))
    for path in SourceFiles(root, "services"):
        service = path.split("/")[1]
        for line, inc in Includes(root, path):
            if inc.startswith("services/") and inc.split("/")[1] != service:
                found.append("service-service: %s:%d: services/%s includes %s"
                             % (path, line, service, inc))
            if service == "cli" and (inc.startswith("libs/storage/") or inc.startswith("pqxx")):
                found.append("cli-client: %s:%d: the CLI includes %s" % (path, line, inc))
    for path in SourceFiles(root, "bench"):
        for line, inc in Includes(root, path):
            if inc.startswith("services/"):
                found.append("bench-libs: %s:%d: includes %s" % (path, line, inc))
    cli_lines = 0
    for top in ("libs", "services"):
        for path in SourceFiles(root, top):
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                text = f.read()
            lines = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
            for number, line in enumerate(text.splitlines(), 1):
                match = POOLER_UNSAFE.search(line)
                if match:
                    found.append("pooler-safe: %s:%d: %s breaks behind PgBouncer in transaction "
                                 "pooling (use exec_params / pg_advisory_xact_lock)"
                                 % (path, number, match.group(0)))
            if lines > MAX_LINES:
                found.append("file-size: %s: %d lines (at most %d; split it by concern)"
                             % (path, lines, MAX_LINES))
            if path.startswith("services/cli/"):
                cli_lines += lines
    if cli_lines >= CLI_MAX_LINES:
        found.append("cli-size: services/cli: %d lines (under %d: the CLI is a client; "
                     "computation belongs in libs/, jobs in their own deployable)"
                     % (cli_lines, CLI_MAX_LINES))
    return found


class LayoutRulesTest(unittest.TestCase):
    def test_the_tree_keeps_every_rule(self):
        problems = Violations(SOURCE_DIR)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))


# (what, file to plant, its text, the rule that must report it)
PLANTED = [
    ("grpc in a pure lib", "libs/scoring/x.cc", '#include "grpcpp/channel.h"\n', "pure-lib:"),
    ("generated protobuf in a pure lib", "libs/graph/x.h",
     '#include "innoscope/network/v1/network.pb.h"\n', "pure-lib:"),
    ("pqxx in a pure lib", "libs/index/x.cc", "#include <pqxx/pqxx>\n", "pure-lib:"),
    ("storage in a pure lib", "libs/recompute/x.cc", '#include "libs/storage/pool.h"\n',
     "pure-lib:"),
    ("a lib on a service", "libs/server/x.cc", '#include "services/ingest/ingest_store.h"\n',
     "lib-service:"),
    ("a service on another", "services/scoring/x.cc",
     '#include "services/network/network_service.h"\n', "service-service:"),
    ("the CLI on a service", "services/cli/x.cc",
     '#include "services/recompute/recompute_store.h"\n', "service-service:"),
    ("the CLI on storage", "services/cli/x.cc", '#include "libs/storage/pool.h"\n',
     "cli-client:"),
    ("the CLI on pqxx", "services/cli/x.cc", "#include <pqxx/connection>\n", "cli-client:"),
    ("a bench on a service", "bench/network/x.cc",
     '#include "services/network/network_measures.h"\n', "bench-libs:"),
    ("a long file", "services/ingest/x.cc", "int x;\n" * (MAX_LINES + 1), "file-size:"),
    ("a tool at the top", "tools/x.py", "print(1)\n", "top-level:"),
    ("a named prepared statement", "services/ingest/x.cc",
     'tx.conn().prepare("q", "SELECT 1");\n', "pooler-safe:"),
    ("a session-level advisory lock", "libs/storage/x.cc",
     'tx.exec("SELECT pg_try_advisory_lock(1)");\n', "pooler-safe:"),
]


class CliSizeSelfTest(unittest.TestCase):
    def test_a_cli_of_many_small_files_is_still_counted_whole(self):
        with tempfile.TemporaryDirectory() as root:
            for i in range(CLI_MAX_LINES // 500):
                Plant(root, "services/cli/f%d.cc" % i, "int x;\n" * 500)
            problems = Violations(root)
            self.assertTrue(any(p.startswith("cli-size:") for p in problems), problems)


class RuleSelfTest(unittest.TestCase):
    def test_a_clean_tree_has_no_findings(self):
        with tempfile.TemporaryDirectory() as root:
            Plant(root, "libs/scoring/ok.cc", '#include "libs/index/framework.h"\n')
            Plant(root, "services/ingest/ok.cc",
                  '#include "services/ingest/ingest_store.h"\n#include <pqxx/pqxx>\n')
            Plant(root, "libs/clients/ok.cc", '#include "grpcpp/channel.h"\n')
            Plant(root, "services/cli/ok.cc", '#include "libs/clients/channels.h"\n')
            Plant(root, "services/ingest/ok.h", "int x;\n" * MAX_LINES)
            Plant(root, "services/recompute/ok.cc",
                  'tx.exec_params("SELECT pg_try_advisory_xact_lock($1)", 1);\n')
            self.assertEqual(Violations(root), [])

    def test_every_planted_violation_is_reported(self):
        for what, path, text, rule in PLANTED:
            with self.subTest(violation=what), tempfile.TemporaryDirectory() as root:
                Plant(root, path, text)
                problems = Violations(root)
                self.assertTrue(any(p.startswith(rule) and path in p for p in problems),
                                "%s: expected a %s finding for %s, got %s"
                                % (what, rule, path, problems))


def Plant(root: str, path: str, text: str) -> None:
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
