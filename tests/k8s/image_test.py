#!/usr/bin/env python3
"""The container build file produces what the manifests run, from Debian only.

No container engine is needed: deploy/container/Containerfile is read as text
and checked against deploy/install-deps.sh, the built binaries (`ldd`,
`objdump -p`, `dpkg -S`) and the rendered manifests:

- the build stage starts from Debian bookworm, installs the toolchain and
  library packages of install-deps.sh (less the test and benchmark ones, which
  the image build switches off), and downloads nothing else;
- the runtime stage starts from bookworm-slim and installs, for every shared
  library a binary loads directly, the Debian package that ships it, nothing
  that is not needed, and through Debian's dependencies every library `ldd`
  lists;
- it runs as a numeric non-root user, the one the manifests' runAsUser names;
- it contains exactly the five binaries the manifests run (the four services
  and innoscope-recompute, which the CronJob runs), on PATH, and nothing else
  of ours: not the CLI, which runs outside the cluster; its default command,
  if any, is one of them.

Run: ctest -R k8s_image_test, or python3 tests/k8s/image_test.py -v
"""

import json
import os
import re
import shlex
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manifests  # noqa: E402

CONTAINERFILE = os.path.join(manifests.SOURCE_DIR, "deploy", "container", "Containerfile")
IGNOREFILE = CONTAINERFILE + ".dockerignore"
INSTALL_DEPS = os.path.join(manifests.SOURCE_DIR, "deploy", "install-deps.sh")
# What the image holds: the services and the recompute job, not the CLI.
BINARIES = ["innoscope-" + s for s in manifests.SERVICES] + list(manifests.JOBS)
# install-deps.sh packages the image build does not need: it configures with
# -DINNOSCOPE_BUILD_TESTS=OFF -DINNOSCOPE_BUILD_BENCH=OFF.
TEST_AND_BENCH_ONLY = {"libgtest-dev", "libgmock-dev", "libbenchmark-dev"}
# Runtime packages that ship no library the binaries load, and why they are there.
RUNTIME_EXTRAS = {"ca-certificates": "sslrootcert= for a database with a public CA"}
DEBIAN_IMAGES = {"build": "debian:bookworm", "runtime": "debian:bookworm-slim"}
# Anything in a RUN that fetches from somewhere other than Debian's archive.
FORBIDDEN = re.compile(r"\b(curl|wget|git\s+(clone|fetch|submodule)|pip3?|npm|npx|go\s+(get|"
                       r"install)|cargo|apt-key|add-apt-repository|gpg)\b|https?://|"
                       r"sources\.list|/etc/apt/")


def Instructions(path):
    """[(INSTRUCTION, arguments)] with continuations joined, comments dropped."""
    result, current = [], ""
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.lstrip().startswith("#"):
                continue
            if line.endswith("\\"):
                current += line[:-1] + " "
                continue
            current += line
            if current.strip():
                word, _, rest = current.strip().partition(" ")
                result.append((word.upper(), " ".join(rest.split())))
            current = ""
    return result


def Stages(instructions):
    """{stage name: {"from": image, "steps": [(INSTRUCTION, args)]}}.

    A FROM naming a global build argument (`ARG BASE_IMAGE=...` before the
    first FROM) starts from the argument's default, what a build without
    --build-arg gets; deploy/container/build.sh passes bases it made itself
    only where no registry answers."""
    stages, current, defaults = {}, None, {}
    for word, args in instructions:
        if word == "ARG" and current is None:
            name, _, value = args.partition("=")
            defaults[name.strip()] = value.strip()
        if word == "FROM":
            parts = re.sub(r"\$\{(\w+)\}|\$(\w+)",
                           lambda m: defaults.get(m.group(1) or m.group(2), m.group(0)),
                           args).split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else str(len(stages))
            current = stages.setdefault(name, {"from": parts[0], "steps": []})
        elif current is not None:
            current["steps"].append((word, args))
    return stages


def AptPackages(stage):
    packages = []
    for word, args in stage["steps"]:
        if word != "RUN":
            continue
        for command in re.split(r"&&|;", args):
            tokens = shlex.split(command)
            if tokens[:2] == ["apt-get", "install"]:
                packages += [t for t in tokens[2:] if not t.startswith("-")]
    return packages


def InstallDepsGroups():
    """install-deps.sh's PACKAGES array, by the comment heading each group."""
    with open(INSTALL_DEPS) as f:
        text = f.read()
    body = re.search(r"PACKAGES=\((.*?)\n\)", text, re.S).group(1)
    groups, group = {}, None
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("#"):
            group = line.lstrip("# ").split()[0]
        elif line:
            groups.setdefault(group, []).extend(line.split())
    return groups


def Run(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def NeededAndLoaded(binary_path):
    """(libraries the binary names directly, {soname: path} of all it loads)."""
    needed = re.findall(r"NEEDED\s+(\S+)", Run(["objdump", "-p", binary_path]).stdout)
    loaded = {}
    for line in Run(["ldd", binary_path]).stdout.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            loaded[m.group(1)] = m.group(2)
        elif "not found" in line:
            loaded[line.split()[0]] = None
    return needed, loaded


def OwningPackages(paths):
    """{library path: Debian package shipping it}, in one dpkg call (usrmerge-aware:
    a package may list /lib/... or /usr/lib/...)."""
    variants = {}
    for path in paths:
        real = os.path.realpath(path)
        for p in (real, path):
            variants.setdefault(p, path)
            if p.startswith("/lib/"):
                variants.setdefault("/usr" + p, path)
            elif p.startswith("/usr/lib/"):
                variants.setdefault(p[len("/usr"):], path)
    owners = {}
    for line in Run(["dpkg", "-S"] + sorted(variants)).stdout.splitlines():
        packages, _, file = line.partition(": ")
        if file in variants:
            owners.setdefault(variants[file], packages.split(",")[0].split(":")[0].strip())
    return owners


def DependencyClosure(roots):
    """Every installed package the roots pull in through (Pre-)Depends."""
    out = Run(["dpkg-query", "-W", "-f", "${Package}\t${Pre-Depends}, ${Depends}\t${Provides}\n"])
    depends, providers = {}, {}
    for line in out.stdout.splitlines():
        name, deps, provides = (line.split("\t") + ["", ""])[:3]
        depends[name] = deps
        for p in provides.split(","):
            p = p.split("(")[0].strip()
            if p:
                providers.setdefault(p, []).append(name)
    closure, todo, missing = set(), list(roots), []
    while todo:
        pkg = todo.pop()
        if pkg in closure:
            continue
        if pkg not in depends:
            missing.append(pkg)
            continue
        closure.add(pkg)
        for clause in depends[pkg].split(","):
            alternatives = [a.split("(")[0].strip().split(":")[0] for a in clause.split("|")]
            alternatives = [a for a in alternatives if a]
            for alt in alternatives:
                real = [alt] if alt in depends else providers.get(alt, [])
                if real:
                    todo.append(real[0])
                    break
    return closure, missing


class Facts:
    """What the Containerfile is checked against, gathered once."""

    def __init__(self):
        groups = InstallDepsGroups()
        self.build_packages = (set(groups["toolchain"]) | set(groups["libraries"])) - \
            TEST_AND_BENCH_ONLY
        self.direct, self.loaded, self.problems = {}, {}, []
        libs = {}
        for binary in BINARIES:
            path = manifests.Binaries().Path(binary)
            if not os.access(path, os.X_OK):
                self.problems.append("%s is not built; build before testing" % path)
                continue
            needed, loaded = NeededAndLoaded(path)
            for soname, lib in loaded.items():
                if lib is None:
                    self.problems.append("%s: ldd finds no %s" % (binary, soname))
                else:
                    libs[lib] = (binary, soname, soname in needed)
        owners = OwningPackages(libs)
        for lib, (binary, soname, is_direct) in sorted(libs.items()):
            pkg = owners.get(lib)
            if pkg is None:
                self.problems.append("%s: no Debian package ships %s" % (binary, lib))
                continue
            self.loaded.setdefault(pkg, set()).add(soname)
            if is_direct:
                self.direct.setdefault(pkg, set()).add(soname)
        base = manifests.Render(os.path.join(manifests.SOURCE_DIR, "k8s", "base"))
        self.commands, self.run_as = set(), set()
        for w in manifests.Workloads(base):
            pod = manifests.PodTemplate(w)["spec"]
            for c in pod["containers"]:
                if manifests.ImageRepository(c["image"]) == "innoscope":
                    self.commands.add(c["command"][0])
                    self.run_as.add(str((c.get("securityContext") or {}).get(
                        "runAsUser", (pod.get("securityContext") or {}).get("runAsUser"))))


def Problems(stages, ignored_allowlist, facts):
    """Every way the Containerfile (as stages) falls short; [] when none."""
    problems = list(facts.problems)
    if sorted(stages) != ["build", "runtime"]:
        return problems + ["expected stages build and runtime, found %s" % sorted(stages)]
    for name, image in DEBIAN_IMAGES.items():
        if stages[name]["from"].split("@")[0] not in (image, "docker.io/library/" + image):
            problems.append("%s stage starts from %s, not %s" % (name, stages[name]["from"],
                                                                 image))
    for name, stage in stages.items():
        for word, args in stage["steps"]:
            if word == "ADD":
                problems.append("%s: ADD can fetch URLs; use COPY" % name)
            if word == "RUN" and FORBIDDEN.search(args):
                problems.append("%s: downloads outside Debian's archive: RUN %s" % (name, args))
            m = re.search(r"--from=(\S+)", args) if word == "COPY" else None
            if m and m.group(1) not in stages:
                problems.append("%s: COPY --from=%s, an image outside this file"
                                % (name, m.group(1)))
    build, runtime = stages["build"], stages["runtime"]
    got = set(AptPackages(build))
    if got != facts.build_packages:
        problems.append("build stage packages differ from install-deps.sh's toolchain and "
                        "libraries: missing %s, extra %s" % (
                            sorted(facts.build_packages - got), sorted(got - facts.build_packages)))
    run = " ".join(a for w, a in build["steps"] if w == "RUN")
    for option in ("-DINNOSCOPE_BUILD_TESTS=OFF", "-DINNOSCOPE_BUILD_BENCH=OFF"):
        if option not in run:
            problems.append("build stage does not configure with %s" % option)
    m = re.search(r"--target ((?:[\w-]+ ?)+)", run)
    if not m or sorted(m.group(1).split()) != sorted(BINARIES):
        problems.append("build stage does not build exactly %s" % BINARIES)
    segments = [c.strip() for w, a in build["steps"] if w == "RUN" for c in re.split(r"&&|;", a)]
    install = next((c for c in segments if c.startswith("install ")), "")
    m = re.search(r"-t (\S+) (.*)", install)
    if not m or m.group(1) != "/out/usr/local/bin" or sorted(
            os.path.basename(p) for p in m.group(2).split()) != sorted(BINARIES):
        problems.append("build stage does not install %s into /out/usr/local/bin" % BINARIES)
    if "--from=build /out/ /" not in [a for w, a in runtime["steps"] if w == "COPY"]:
        problems.append("runtime stage does not COPY --from=build /out/ /")
    for word, args in build["steps"]:
        if word == "COPY" and args.split()[0].rstrip("/") not in ignored_allowlist:
            problems.append("COPY %s: excluded from the build context by %s"
                            % (args.split()[0], os.path.basename(IGNOREFILE)))
    # Runtime libraries.
    packages = set(AptPackages(runtime))
    for pkg, libs in sorted(facts.direct.items()):
        if pkg not in packages:
            problems.append("runtime stage does not install %s (for %s)"
                            % (pkg, ", ".join(sorted(libs))))
    closure, missing = DependencyClosure(packages)
    for pkg in missing:
        problems.append("runtime package %s is not a Debian package installed here" % pkg)
    for pkg, libs in sorted(facts.loaded.items()):
        if pkg not in closure:
            problems.append("nothing in the runtime stage brings %s (for %s)"
                            % (pkg, ", ".join(sorted(libs))))
    for pkg in sorted(packages):
        if pkg not in facts.direct and pkg not in RUNTIME_EXTRAS:
            problems.append("runtime stage installs %s, which no binary loads" % pkg)
    # User and binaries.
    users = [a for w, a in runtime["steps"] if w == "USER"]
    uid = users[-1].split(":")[0] if users else ""
    if not uid.isdigit() or int(uid) == 0:
        problems.append("runtime USER %r is not a numeric non-root UID (runAsNonRoot "
                        "verifies only numeric ones)" % uid)
    elif facts.run_as != {uid}:
        problems.append("runtime USER %s differs from the manifests' runAsUser %s"
                        % (uid, sorted(facts.run_as)))
    if not facts.commands <= set(BINARIES):
        problems.append("manifests run %s, which the image does not contain"
                        % sorted(facts.commands - set(BINARIES)))
    if set(BINARIES) - facts.commands:
        problems.append("the image is to hold %s, which no manifest runs"
                        % sorted(set(BINARIES) - facts.commands))
    for word in ("ENTRYPOINT", "CMD"):
        args = [a for w, a in runtime["steps"] if w == word]
        if not args:
            continue
        try:
            argv = json.loads(args[-1])
        except ValueError:
            argv = None
        if not isinstance(argv, list) or not argv or argv[0] not in BINARIES:
            problems.append("runtime %s %s: not an exec-form command of a binary in the image "
                            "%s" % (word, args[-1], BINARIES))
    return problems


def IgnoreAllowlist(path=IGNOREFILE):
    with open(path) as f:
        return {l.strip()[1:].rstrip("/") for l in f if l.strip().startswith("!")}


FACTS = None


def setUpModule():
    global FACTS
    FACTS = Facts()


def _Replace(stages, stage, old, new):
    stages[stage]["steps"] = [(w, a.replace(old, new)) for w, a in stages[stage]["steps"]]


# Mistakes planted in the parsed Containerfile, and what must be reported.
MISTAKES = [
    ("a library missing at run time",
     lambda s, i: _Replace(s, "runtime", " libpqxx-6.4 ", " "),
     "runtime stage does not install libpqxx-6.4 (for libpqxx-6.4.so)"),
    ("a -dev package in the runtime image",
     lambda s, i: _Replace(s, "runtime", " libstdc++6 ", " libstdc++6 libpqxx-dev "),
     "runtime stage installs libpqxx-dev, which no binary loads"),
    ("a download in the build stage",
     lambda s, i: s["build"]["steps"].append(
         ("RUN", "curl -fsSL https://example.com/protoc.zip -o /tmp/p.zip")),
     "build: downloads outside Debian's archive"),
    ("a third-party apt source",
     lambda s, i: s["build"]["steps"].insert(
         0, ("RUN", "echo deb http://apt.example.com stable main > /etc/apt/sources.list.d/x")),
     "build: downloads outside Debian's archive"),
    ("ADD from a URL",
     lambda s, i: s["build"]["steps"].append(("ADD", "https://example.com/x.tar.gz /src/")),
     "build: ADD can fetch URLs"),
    ("COPY from another image",
     lambda s, i: s["runtime"]["steps"].append(("COPY", "--from=alpine /bin/sh /bin/sh")),
     "COPY --from=alpine, an image outside this file"),
    ("build packages drifting from install-deps.sh",
     lambda s, i: _Replace(s, "build", " libpqxx-dev ", " "),
     "missing ['libpqxx-dev']"),
    ("tests built into the image",
     lambda s, i: _Replace(s, "build", "-DINNOSCOPE_BUILD_TESTS=OFF", ""),
     "does not configure with -DINNOSCOPE_BUILD_TESTS=OFF"),
    ("a binary left out",
     lambda s, i: _Replace(s, "build", "/build/services/network/innoscope-network", ""),
     "does not install"),
    ("the CLI built into the image",
     lambda s, i: _Replace(s, "build", "innoscope-recompute ", "innoscope-recompute innoscope "),
     "build stage does not build exactly"),
    ("the CLI installed into the image",
     lambda s, i: _Replace(s, "build", "/build/services/recompute/innoscope-recompute",
                           "/build/services/recompute/innoscope-recompute "
                           "/build/services/cli/innoscope"),
     "does not install"),
    ("the CLI as the default command",
     lambda s, i: s["runtime"]["steps"].append(("CMD", '["innoscope", "--help"]')),
     "runtime CMD [\"innoscope\", \"--help\"]: not an exec-form command of a binary in the "
     "image"),
    ("a shell-form default command",
     lambda s, i: s["runtime"]["steps"].append(("ENTRYPOINT", "innoscope-ingest")),
     "runtime ENTRYPOINT innoscope-ingest: not an exec-form command"),
    ("running as root",
     lambda s, i: _Replace(s, "runtime", "10001:10001", "root"),
     "runtime USER 'root' is not a numeric non-root UID"),
    ("a UID the manifests do not name",
     lambda s, i: _Replace(s, "runtime", "10001:10001", "1000:1000"),
     "runtime USER 1000 differs from the manifests' runAsUser ['10001']"),
    ("a source excluded from the context",
     lambda s, i: i.discard("libs"),
     "COPY libs: excluded from the build context"),
    ("an Alpine runtime",
     lambda s, i: s["runtime"].update({"from": "alpine:3.20"}),
     "runtime stage starts from alpine:3.20"),
]


class ContainerfileTest(unittest.TestCase):
    def test_containerfile_builds_what_the_manifests_run_from_debian_only(self):
        problems = Problems(Stages(Instructions(CONTAINERFILE)), IgnoreAllowlist(), FACTS)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_base_image_arguments_resolve_to_their_defaults(self):
        instructions = [(w, a.replace("debian:bookworm-slim", "alpine:3.20")) if w == "ARG"
                        else (w, a) for w, a in Instructions(CONTAINERFILE)]
        problems = Problems(Stages(instructions), IgnoreAllowlist(), FACTS)
        self.assertIn("runtime stage starts from docker.io/library/alpine:3.20, not "
                      "debian:bookworm-slim", problems)

    def test_every_planted_mistake_is_caught(self):
        for what, plant, expected in MISTAKES:
            with self.subTest(mistake=what):
                stages, allow = Stages(Instructions(CONTAINERFILE)), IgnoreAllowlist()
                plant(stages, allow)
                problems = Problems(stages, allow, FACTS)
                self.assertTrue(any(expected in p for p in problems),
                                "expected a problem containing %r, got:\n%s"
                                % (expected, "\n".join(problems) or "(none)"))


if __name__ == "__main__":
    manifests.SkipWithoutKubectl()
    unittest.main(verbosity=2)
