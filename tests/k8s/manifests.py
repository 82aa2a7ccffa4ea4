#!/usr/bin/env python3
"""Innoscope's Kubernetes manifests, rendered and checked against the code.

The manifests in k8s/ must wire the cluster exactly the way the binaries
expect. This module renders an overlay with `kubectl kustomize` (offline) and
checks the result against the built binaries' own `--help`, so a flag, an
environment variable, a port or an upstream address the code does not accept
is caught before a cluster ever sees it. Python standard library only.

    objects = Render("k8s/overlays/dev")
    problems = Check(objects, Binaries(build_dir), Expectations())
    # [] when the wiring is right, else one line per problem

Used by manifest_test.py (unit), image_test.py (unit) and, through
`manifests.py plan OVERLAY`, by the cluster rehearsal
tests/integration/k8s_rehearsal_e2etest.cc.
"""

import argparse
import base64
import dataclasses
import functools
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from typing import Dict, List, Optional, Tuple

SOURCE_DIR = os.environ.get(
    "INNOSCOPE_SOURCE_DIR",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_DIR = os.environ.get("INNOSCOPE_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))

# The four services; service S runs binary innoscope-S. Ports and upstreams
# are deliberately NOT listed here: they come from the binaries (--help) and
# the manifests, and are checked against each other.
SERVICES = ("ingest", "weighting", "scoring", "network")
# Everything with a schema and a PostgreSQL role of its own.
DEPLOYABLES = SERVICES + ("recompute",)
CLI = "innoscope"
# The recompute job, a binary of its own (services/recompute); it serves
# nothing, so it has no ports or probes.
RECOMPUTE = "innoscope-recompute"
JOBS = (RECOMPUTE,)
RECOMPUTE_COMMAND = [RECOMPUTE, "--config", "/etc/innoscope/recompute.yaml"]

# Flags naming where a binary listens; every other <name>_address flag is
# the address of an upstream service.
LISTEN_ADDRESS_FLAGS = ("grpc_address", "metrics_address", "health_address")


def IsUpstreamFlag(flag: str) -> bool:
    return flag.endswith("_address") and flag not in LISTEN_ADDRESS_FLAGS


# Health entries (libs/server/service_host.cc): "" and the gRPC service name
# for liveness/startup, "readiness" for readiness.
READINESS_ENTRY = "readiness"

# Connections the recompute job holds at most (the contract): one session for
# the advisory lock, one for its job-run rows.
RECOMPUTE_DB_CONNECTIONS = 2


# ------------------------------------------------------------------ render

class RenderError(Exception):
    pass


# kustomize components (k8s/components) need the kustomize that ships inside
# kubectl 1.27 or later; Debian bookworm's kubernetes-client is 1.20.
KUBECTL_MIN_VERSION = (1, 27)
# Exit code of a check that could not run (ctest SKIP_RETURN_CODE).
SKIP_EXIT_CODE = 77
SKIP_MESSAGE = "skipped: kubectl >= 1.27 not found"


class KubectlMissing(RenderError):
    """No kubectl, or one too old to render components: the checks skip."""


@functools.lru_cache(maxsize=None)
def KubectlVersion(path: str) -> Optional[tuple]:
    """(major, minor) of the kubectl client at path, or None when unreadable.

    Asked once per path: every render calls Kubectl() twice."""
    try:
        result = subprocess.run([path, "version", "--client", "-o", "json"],
                                capture_output=True, text=True, timeout=30,
                                env=dict(os.environ, KUBECONFIG="/dev/null"))
        info = json.loads(result.stdout)["clientVersion"]
        return (int(info["major"]), int("".join(c for c in info["minor"] if c.isdigit())))
    except (OSError, ValueError, KeyError, subprocess.SubprocessError):
        return None


def Kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        raise KubectlMissing("kubectl not found on PATH: it renders the kustomize overlays "
                             "(any kubectl >= 1.27; `kubectl kustomize` works offline)")
    version = KubectlVersion(path)
    if version is None or version < KUBECTL_MIN_VERSION:
        raise KubectlMissing("%s is version %s; the kustomize components need kubectl >= 1.27"
                             % (path, "unknown" if version is None else "%d.%d" % version))
    return path


def SkipWithoutKubectl() -> None:
    """For a check's main(): print the skip line and exit 77 without kubectl >= 1.27."""
    try:
        Kubectl()
    except KubectlMissing as e:
        print("%s (%s)" % (SKIP_MESSAGE, e))
        sys.exit(SKIP_EXIT_CODE)


def _Run(argv: List[str], stdin: Optional[str] = None) -> str:
    # KUBECONFIG=/dev/null: rendering must never talk to a cluster.
    env = dict(os.environ, KUBECONFIG="/dev/null")
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env,
                            timeout=120)
    if result.returncode != 0:
        raise RenderError("%s failed (%d): %s" % (" ".join(argv[:3]), result.returncode,
                                                   result.stderr.strip()))
    return result.stdout


def RenderYaml(path: str) -> str:
    return _Run([Kubectl(), "kustomize", path])


def RenderWithComponents(overlay: str, components: List[str]) -> List[dict]:
    """The objects of an overlay with extra components (e.g.
    k8s/components/sharded-recompute), rendered through a temporary
    kustomization that names them by relative paths (kustomize refuses
    absolute ones)."""
    with tempfile.TemporaryDirectory(prefix="innoscope-render-") as tmp:
        lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
                 "resources:", "  - " + os.path.relpath(os.path.abspath(overlay), tmp),
                 "components:"]
        lines += ["  - " + os.path.relpath(os.path.abspath(c), tmp) for c in components]
        with open(os.path.join(tmp, "kustomization.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        return Render(tmp)


def Render(path: str) -> List[dict]:
    """The objects of a kustomization, as JSON values.

    kubectl converts YAML to JSON without a cluster only with --local; removing
    an annotation nobody sets is the one such command that changes nothing
    (it leaves an empty annotations map, dropped below). PyYAML is not a
    dependency of the project.
    """
    yaml_text = RenderYaml(path)
    json_text = _Run([Kubectl(), "annotate", "--local", "-f", "-", "-o", "json",
                      "innoscope.test/unused-"], stdin=yaml_text)
    decoder = json.JSONDecoder()
    objects, pos = [], 0
    while True:
        while pos < len(json_text) and json_text[pos].isspace():
            pos += 1
        if pos >= len(json_text):
            break
        obj, pos = decoder.raw_decode(json_text, pos)
        objects.extend(obj["items"] if obj.get("kind") == "List" else [obj])
    for obj in objects:
        if obj.get("metadata", {}).get("annotations") == {}:
            del obj["metadata"]["annotations"]
    return objects


# --------------------------------------------------------------- binaries

@dataclasses.dataclass
class Flag:
    name: str
    envs: List[str]  # INNOSCOPE_<NAME> first, then a fallback such as DATABASE_URL
    default: str


@dataclasses.dataclass
class BinaryHelp:
    command: List[str]  # ["innoscope-ingest"], ["innoscope-recompute"] or ["innoscope", "status"]
    flags: Dict[str, Flag]

    def env_names(self) -> Dict[str, str]:
        return {env: flag.name for flag in self.flags.values() for env in flag.envs}


_FLAG_LINE = re.compile(r'^  --(\w+) \(([^;]+); default "(.*)"\)$')


def ParseHelp(command: List[str], text: str) -> BinaryHelp:
    flags = {}
    for line in text.splitlines():
        m = _FLAG_LINE.match(line)
        if m:
            flags[m.group(1)] = Flag(m.group(1), m.group(2).split(" or "), m.group(3))
    return BinaryHelp(command, flags)


class Binaries:
    """--help of the built binaries, cached."""

    def __init__(self, build_dir: str = BUILD_DIR):
        self.build_dir = build_dir
        self._cache: Dict[Tuple[str, ...], object] = {}

    def Path(self, binary: str) -> str:
        if binary == CLI:
            return os.path.join(self.build_dir, "services", "cli", CLI)
        return os.path.join(self.build_dir, "services", binary[len("innoscope-"):], binary)

    def _RunHelp(self, argv: List[str]) -> Tuple[int, str]:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        return result.returncode, result.stdout + result.stderr

    def Help(self, command: List[str]):
        """BinaryHelp for a container command, or a problem string."""
        key = tuple(command[:2]) if command and command[0] == CLI else tuple(command[:1])
        if key not in self._cache:
            self._cache[key] = self._Load(list(key))
        return self._cache[key]

    def _Load(self, key: List[str]):
        binary = key[0] if key else ""
        if binary != CLI and binary not in ["innoscope-" + s for s in SERVICES] + list(JOBS):
            return "command %r is not an Innoscope binary" % (key,)
        path = self.Path(binary)
        if not os.access(path, os.X_OK):
            return "%s is not built (%s); build before testing" % (binary, path)
        if binary != CLI:
            code, text = self._RunHelp([path, "--help"])
            return ParseHelp(key, text) if code == 0 else "%s --help failed: %s" % (binary, text)
        if len(key) < 2 or key[1].startswith("-"):
            return "innoscope needs a command (innoscope <command> ...)"
        code, top = self._RunHelp([path, "--help"])
        commands = re.findall(r"^  (\w[\w-]*)\s", top.split("Commands:", 1)[-1], re.M)
        if key[1] not in commands:
            return "innoscope has no command %r (it has: %s)" % (key[1], ", ".join(commands))
        code, text = self._RunHelp([path, key[1], "--help"])
        return ParseHelp(key, text) if code == 0 else "innoscope %s --help failed: %s" % (
            key[1], text)


# ---------------------------------------------------------------- helpers

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def PodTemplate(obj: dict) -> Optional[dict]:
    if obj.get("kind") == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]
    if obj.get("kind") in WORKLOAD_KINDS:
        return obj["spec"]["template"]
    return None


def Workloads(objects: List[dict]) -> List[dict]:
    return [o for o in objects if o.get("kind") in WORKLOAD_KINDS]


def Name(obj: dict) -> str:
    return "%s/%s" % (obj.get("kind"), obj.get("metadata", {}).get("name"))


def Namespace(obj: dict) -> str:
    return obj.get("metadata", {}).get("namespace", "default")


def Find(objects: List[dict], kind: str, name: str, namespace: str) -> Optional[dict]:
    for o in objects:
        if (o.get("kind") == kind and o["metadata"].get("name") == name
                and Namespace(o) == namespace):
            return o
    return None


def SelectorMatches(selector: Optional[dict], labels: Dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics; {} matches everything."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def Containers(pod_template: dict) -> List[dict]:
    spec = pod_template["spec"]
    return list(spec.get("initContainers") or []) + list(spec.get("containers") or [])


def ContainerPort(pod_template: dict, port) -> Optional[Tuple[dict, dict]]:
    """(container, port entry) that a targetPort (number or name) names."""
    for c in pod_template["spec"].get("containers") or []:
        for p in c.get("ports") or []:
            if (isinstance(port, int) and p.get("containerPort") == port) or (
                    isinstance(port, str) and p.get("name") == port):
                return c, p
    return None


def ImageRepository(image: str) -> str:
    image = image.split("@", 1)[0]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def ProjectVersion() -> str:
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
        m = re.search(r"project\(innoscope VERSION ([0-9.]+)", f.read())
    return m.group(1) if m else ""


class External(str):
    """A value that exists only in the cluster (a Secret created out of band)."""


# What Kubernetes sets in every pod of an Indexed Job: the pod's index.
COMPLETION_INDEX = "JOB_COMPLETION_INDEX"


def JobSpec(obj: dict) -> Optional[dict]:
    """The Job spec of a Job or of a CronJob's jobTemplate."""
    if obj.get("kind") == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]
    if obj.get("kind") == "Job":
        return obj["spec"]
    return None


def ResolveEnv(container: dict, objects: List[dict], namespace: str,
               external_secrets: set, problems: List[str], where: str,
               indexed: bool = False) -> Dict[str, str]:
    """The environment a container starts with, as Kubernetes builds it
    (with the completion index of an Indexed Job's pods)."""
    env: Dict[str, str] = {}
    if indexed:
        env[COMPLETION_INDEX] = External("<completion index>")

    def Lookup(kind, name, key, optional):
        obj = Find(objects, kind, name, namespace)
        if obj is None:
            if kind == "Secret" and name in external_secrets:
                return External("<%s/%s>" % (name, key))
            if not optional:
                problems.append("%s: references %s %s, which is not in the manifests"
                                % (where, kind, name))
            return None
        if kind == "Secret":
            data = {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}
            data.update(obj.get("stringData") or {})
        else:
            data = obj.get("data") or {}
        if key is None:
            return data
        if key not in data and not optional:
            problems.append("%s: %s %s has no key %r" % (where, kind, name, key))
        return data.get(key)

    for source in container.get("envFrom") or []:
        ref_kind, ref = ("ConfigMap", source["configMapRef"]) if "configMapRef" in source \
            else ("Secret", source["secretRef"])
        data = Lookup(ref_kind, ref["name"], None, ref.get("optional", False))
        if isinstance(data, dict):
            for k, v in data.items():
                env[source.get("prefix", "") + k] = v
    for var in container.get("env") or []:
        name = var["name"]
        if "value" in var:
            # $(VAR) refers to variables defined before this one.
            env[name] = re.sub(r"\$\((\w+)\)",
                               lambda m: env.get(m.group(1), m.group(0)), var["value"])
        elif "valueFrom" in var:
            vf = var["valueFrom"]
            if "configMapKeyRef" in vf:
                r = vf["configMapKeyRef"]
                value = Lookup("ConfigMap", r["name"], r["key"], r.get("optional", False))
            elif "secretKeyRef" in vf:
                r = vf["secretKeyRef"]
                value = Lookup("Secret", r["name"], r["key"], r.get("optional", False))
            elif "fieldRef" in vf:
                path = vf["fieldRef"]["fieldPath"]
                value = namespace if path == "metadata.namespace" else External("<%s>" % path)
            else:
                value = External("<%s>" % ",".join(vf))
            if value is not None:
                env[name] = value
        else:
            env[name] = ""
    return env


def SplitArgs(argv: List[str], help_: BinaryHelp, problems: List[str], where: str
              ) -> Dict[str, str]:
    """--flag=value / --flag value, as libs/config/flags.cc parses them."""
    values: Dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg == "--":
            problems.append("%s: positional argument %r is not accepted by %s"
                            % (where, arg, " ".join(help_.command)))
            i += 1
            continue
        body = arg[2:] if arg.startswith("--") else arg[1:]
        name, eq, value = body.partition("=")
        flag = help_.flags.get(name)
        if flag is None:
            problems.append("%s: flag --%s is not accepted by %s (see its --help)"
                            % (where, name, " ".join(help_.command)))
            i += 1
            continue
        if not eq:
            if flag.default in ("true", "false"):
                value = "true"
            elif i + 1 < len(argv):
                i += 1
                value = argv[i]
            else:
                problems.append("%s: flag --%s needs a value" % (where, name))
        values[name] = value
        i += 1
    return values


@dataclasses.dataclass
class Launch:
    """How one Innoscope container starts: binary, arguments, environment,
    and the resulting value of every flag."""
    workload: dict
    container: dict
    help: BinaryHelp
    argv: List[str]  # after the binary (and the CLI command)
    env: Dict[str, str]
    flags: Dict[str, str]

    @property
    def service(self) -> Optional[str]:
        """The service this container serves; None for the job and the CLI."""
        binary = self.help.command[0]
        name = binary[len("innoscope-"):] if binary.startswith("innoscope-") else None
        return name if name in SERVICES else None


def Launches(objects: List[dict], binaries: Binaries, external_secrets: set,
             problems: List[str]) -> List[Launch]:
    """Every container that runs the Innoscope image, resolved."""
    result = []
    for w in Workloads(objects):
        pod = PodTemplate(w)
        ns = Namespace(w)
        for c in Containers(pod):
            where = "%s container %s" % (Name(w), c["name"])
            if ImageRepository(c.get("image", "")) != "innoscope":
                continue
            command = list(c.get("command") or []) + list(c.get("args") or [])
            if not command:
                problems.append("%s: runs the innoscope image without a command (the image's "
                                "default only prints help)" % where)
                continue
            help_ = binaries.Help(command)
            if isinstance(help_, str):
                problems.append("%s: %s" % (where, help_))
                continue
            argv = command[len(help_.command):]
            job = JobSpec(w) or {}
            env = ResolveEnv(c, objects, ns, external_secrets, problems, where,
                             indexed=job.get("completionMode") == "Indexed")
            given = SplitArgs(argv, help_, problems, where)
            accepted = help_.env_names()
            for name in env:
                if (name.startswith("INNOSCOPE_") or name == "DATABASE_URL") and \
                        name not in accepted:
                    problems.append("%s: environment variable %s is not read by %s (no such "
                                    "flag; see its --help)" % (where, name,
                                                               " ".join(help_.command)))
            flags = {}
            for flag in help_.flags.values():
                value = flag.default
                for env_name in reversed(flag.envs):  # INNOSCOPE_* wins over the fallback
                    if env_name in env:
                        value = env[env_name]
                flags[flag.name] = given.get(flag.name, value)
            result.append(Launch(w, c, help_, argv, env, flags))
    return result


def SplitHostPort(value: str) -> Optional[Tuple[str, int]]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def ServiceByHost(objects: List[dict], host: str, namespace: str) -> Optional[dict]:
    """The Service a cluster DNS name resolves to: name, name.ns, name.ns.svc[.cluster.local]."""
    parts = host.split(".")
    if len(parts) > 1 and parts[2:] not in ([], ["svc"], ["svc", "cluster", "local"]):
        return None
    ns = parts[1] if len(parts) > 1 else namespace
    return Find(objects, "Service", parts[0], ns)


def SelectedWorkloads(objects: List[dict], selector: Optional[dict], namespace: str
                      ) -> List[dict]:
    """Workloads whose pods a LabelSelector picks; an empty selector picks none here
    (a Service without one, or a PDB matching everything, is a mistake)."""
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return []
    return [w for w in Workloads(objects) if Namespace(w) == namespace and SelectorMatches(
        selector, PodTemplate(w)["metadata"].get("labels") or {})]


def ServiceSelector(svc: dict) -> dict:
    return {"matchLabels": svc["spec"].get("selector") or {}}


def ServiceTarget(objects: List[dict], address: str, namespace: str
                  ) -> Tuple[Optional[List[Tuple[dict, dict, dict]]], str]:
    """Where HOST:PORT lands: [(workload, container, container port)] or a reason."""
    hp = SplitHostPort(address)
    if hp is None:
        return None, "%r is not HOST:PORT" % address
    host, port = hp
    svc = ServiceByHost(objects, host, namespace)
    if svc is None:
        return None, "%r names no Service in the manifests" % host
    sport = next((p for p in svc["spec"].get("ports") or [] if p.get("port") == port), None)
    if sport is None:
        return None, "Service %s has no port %d (it has %s)" % (
            svc["metadata"]["name"], port,
            ", ".join(str(p.get("port")) for p in svc["spec"].get("ports") or []))
    target = sport.get("targetPort", sport["port"])
    landed = []
    for w in SelectedWorkloads(objects, ServiceSelector(svc), Namespace(svc)):
        cp = ContainerPort(PodTemplate(w), target)
        if cp is None:
            return None, "Service %s port %d targets %r, not a container port of %s" % (
                svc["metadata"]["name"], port, target, Name(w))
        landed.append((w, cp[0], cp[1]))
    if not landed:
        return None, "Service %s selects no pod" % svc["metadata"]["name"]
    return landed, ""


# ---------------------------------------------------------------- checks

@dataclasses.dataclass
class Expectations:
    """What differs between overlays by design."""
    # Secrets created outside the manifests (prod: the database URL).
    external_secrets: frozenset = frozenset()
    # Address of a database that is not in the manifests (host:port), for the
    # NetworkPolicy model; None when PostgreSQL runs in the overlay.
    external_database: Optional[str] = None
    # Images must be pinned to this version (or a digest); "" = any explicit tag.
    pinned_version: str = ""
    # Every workload speaks mutual TLS and the services check roles
    # (k8s/components/tls, --auth_file).
    tls: bool = False


# The overlays in k8s/overlays and what each is meant to differ in.
OVERLAY_EXPECTATIONS = {
    "dev": Expectations(),
    "prod": Expectations(
        external_secrets=frozenset("innoscope-database-" + d for d in DEPLOYABLES),
        # The placeholder address in k8s/overlays/prod/database-policy.yaml;
        # change both together.
        external_database="192.0.2.10:5432",
        pinned_version=ProjectVersion(),
        tls=True),
}


def ExpectationsFor(overlay_path: str) -> Expectations:
    return OVERLAY_EXPECTATIONS.get(os.path.basename(os.path.normpath(overlay_path)),
                                    Expectations())


def CheckServices(objects, problems):
    for svc in (o for o in objects if o.get("kind") == "Service"):
        if svc["spec"].get("type") == "ExternalName":
            continue
        name, ns = svc["metadata"]["name"], Namespace(svc)
        selected = SelectedWorkloads(objects, ServiceSelector(svc), ns)
        if not selected:
            problems.append("Service %s selects no pod" % name)
            continue
        for p in svc["spec"].get("ports") or []:
            target = p.get("targetPort", p["port"])
            for w in selected:
                if ContainerPort(PodTemplate(w), target) is None:
                    problems.append("Service %s port %s: targetPort %r is not a container port "
                                    "of %s" % (name, p.get("name", p["port"]), target, Name(w)))


def CheckServers(objects, launches: List[Launch], problems):
    for launch in launches:
        svc = launch.service
        if svc is None:
            continue
        w, c, flags = launch.workload, launch.container, launch.flags
        where = "%s container %s" % (Name(w), c["name"])
        pod = PodTemplate(w)
        ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
        listen = {}
        for kind in ("grpc", "metrics"):
            hp = SplitHostPort(flags.get(kind + "_address", ""))
            if hp is None:
                problems.append("%s: --%s_address=%r is not HOST:PORT"
                                % (where, kind, flags.get(kind + "_address")))
                continue
            listen[kind] = hp[1]
            if hp[0] not in ("0.0.0.0", "::"):
                problems.append("%s: listens on %s for %s, unreachable from other pods"
                                % (where, hp[0], kind))
            if ports.get(kind) != hp[1]:
                problems.append("%s: container port %r is %s but the binary listens on %d "
                                "(--%s_address)" % (where, kind, ports.get(kind), hp[1], kind))
        # Probes: native gRPC on the port the server listens on, or on the
        # plaintext health port when there is one (kubelet's gRPC probe
        # speaks no TLS, so a TLS server needs it).
        probe_port, probe_what = listen.get("grpc"), "the gRPC port"
        health = SplitHostPort(flags.get("health_address", "") or "")
        if health is not None:
            probe_port, probe_what = health[1], "the health port"
            if ports.get("health") != health[1]:
                problems.append("%s: container port 'health' is %s but the binary serves health "
                                "on %d (--health_address)" % (where, ports.get("health"),
                                                              health[1]))
        elif flags.get("tls_cert_file"):
            problems.append("%s: serves TLS without --health_address: kubelet's gRPC probes "
                            "speak no TLS" % where)
        full_name = "innoscope.%s.v1.%sService" % (svc, svc.capitalize())
        for probe_kind, entries in (("startupProbe", ("", full_name)),
                                    ("livenessProbe", ("", full_name)),
                                    ("readinessProbe", (READINESS_ENTRY,))):
            probe = c.get(probe_kind)
            if probe is None:
                problems.append("%s: no %s" % (where, probe_kind))
                continue
            grpc = probe.get("grpc")
            if grpc is None:
                problems.append("%s: %s is not a grpc probe" % (where, probe_kind))
                continue
            if grpc.get("port") != probe_port:
                problems.append("%s: %s hits port %s, not %s %s"
                                % (where, probe_kind, grpc.get("port"), probe_what, probe_port))
            if grpc.get("service", "") not in entries:
                problems.append("%s: %s asks for health entry %r; expected one of %s"
                                % (where, probe_kind, grpc.get("service", ""), list(entries)))
        # SIGTERM sequence and start-up fit the pod's time budgets.
        try:
            drain = float(flags["drain_seconds"]) + float(flags["shutdown_grace_seconds"])
            grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
            if grace < drain + 5:
                problems.append("%s: terminationGracePeriodSeconds %s does not cover "
                                "--drain_seconds + --shutdown_grace_seconds (%g) + 5 s teardown"
                                % (where, grace, drain))
            startup = c.get("startupProbe") or {}
            window = startup.get("initialDelaySeconds", 0) + startup.get(
                "periodSeconds", 10) * startup.get("failureThreshold", 3)
            wait = float(flags["database_wait_seconds"])
            if window < wait + 30:
                problems.append("%s: the startup probe allows %d s, less than "
                                "--database_wait_seconds (%g) + 30 s for migrations"
                                % (where, window, wait))
        except (KeyError, ValueError) as e:
            problems.append("%s: cannot read timing flags: %s" % (where, e))
        # Prometheus annotations for annotation-based scraping.
        ann = pod["metadata"].get("annotations") or {}
        if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/path") != "/metrics" \
                or ann.get("prometheus.io/port") != str(listen.get("metrics")):
            problems.append("%s: prometheus.io/{scrape,path,port} annotations are not "
                            "\"true\", \"/metrics\", \"%s\"" % (where, listen.get("metrics")))
        if not flags.get("database_url"):
            problems.append("%s: no database URL (--database_url / DATABASE_URL)" % where)


def CheckUpstreams(objects, launches: List[Launch], problems):
    """Every <service>_address flag of a binary points at that service's gRPC port."""
    for launch in launches:
        where = "%s container %s" % (Name(launch.workload), launch.container["name"])
        for flag, value in sorted(launch.flags.items()):
            if not IsUpstreamFlag(flag):
                continue
            upstream = flag[:-len("_address")]
            landed, reason = ServiceTarget(objects, value, Namespace(launch.workload))
            if landed is None:
                problems.append("%s: --%s=%r: %s" % (where, flag, value, reason))
                continue
            for w, c, port in landed:
                cmd = (c.get("command") or [""])[0]
                if cmd != "innoscope-" + upstream or port.get("name") != "grpc":
                    problems.append("%s: --%s=%r reaches %s port %s (%s), not %s's gRPC port"
                                    % (where, flag, value, Name(w), port.get("containerPort"),
                                       cmd, upstream))


def CheckCronJob(objects, launches: List[Launch], problems):
    cronjobs = [o for o in objects if o.get("kind") == "CronJob"]
    if len(cronjobs) != 1:
        problems.append("expected exactly one CronJob (recompute), found %d" % len(cronjobs))
    for cj in cronjobs:
        where = Name(cj)
        spec = cj["spec"]
        job = spec["jobTemplate"]["spec"]
        pod = job["template"]["spec"]
        containers = pod.get("containers") or []
        if len(containers) != 1 or pod.get("initContainers"):
            problems.append("%s: must run exactly one container" % where)
        for c in containers:
            command = list(c.get("command") or []) + list(c.get("args") or [])
            if command != RECOMPUTE_COMMAND:
                problems.append("%s: runs %r, not the recompute command %r"
                                % (where, command, RECOMPUTE_COMMAND))
            config = RECOMPUTE_COMMAND[-1]
            mount = next((m for m in c.get("volumeMounts") or []
                          if config == m["mountPath"] or config.startswith(
                              m["mountPath"].rstrip("/") + "/")), None)
            volume = mount and next((v for v in pod.get("volumes") or []
                                     if v["name"] == mount["name"]), None)
            cm = volume and volume.get("configMap") and Find(
                objects, "ConfigMap", volume["configMap"]["name"], Namespace(cj))
            key = os.path.basename(config)
            if not cm or key not in (cm.get("data") or {}):
                problems.append("%s: %s is not mounted from a ConfigMap with key %s"
                                % (where, config, key))
        if spec.get("concurrencyPolicy") != "Forbid":
            problems.append("%s: concurrencyPolicy is not Forbid" % where)
        for field, holder in (("startingDeadlineSeconds", spec),
                              ("successfulJobsHistoryLimit", spec),
                              ("failedJobsHistoryLimit", spec),
                              ("activeDeadlineSeconds", job)):
            if not isinstance(holder.get(field), int):
                problems.append("%s: %s is not set" % (where, field))
        if pod.get("restartPolicy") != "Never":
            problems.append("%s: restartPolicy is not Never" % where)
        CheckShards(cj, launches, problems)


def RecomputeLaunch(workload: dict, launches: List[Launch]) -> Optional[Launch]:
    return next((l for l in launches if l.workload is workload
                 and l.help.command[0] == RECOMPUTE), None)


def ShardCount(workload: dict, launches: List[Launch]) -> int:
    """How many shards the recompute job's pods run as (--shard_count), 1 when
    the value is not a number (reported by CheckShards)."""
    launch = RecomputeLaunch(workload, launches)
    value = launch.flags.get("shard_count", "1") if launch else "1"
    return int(value) if str(value).isdigit() else 1


def CheckShards(cj: dict, launches: List[Launch], problems: List[str]):
    """A sharded recompute job (k8s/components/sharded-recompute) is an
    Indexed Job whose every pod is one shard: completions = parallelism =
    --shard_count, and --shard_index comes from the pod's completion index."""
    where = Name(cj)
    job = JobSpec(cj)
    launch = RecomputeLaunch(cj, launches)
    if launch is None:
        return
    count = launch.flags.get("shard_count", "1")
    index = launch.flags.get("shard_index", "0")
    if not str(count).isdigit() or int(count) < 1:
        problems.append("%s: --shard_count=%r is not a whole number >= 1" % (where, count))
        return
    n = int(count)
    indexed = job.get("completionMode") == "Indexed"
    if n == 1:
        if indexed and (job.get("completions", 1) != 1 or job.get("parallelism", 1) != 1):
            problems.append("%s: an Indexed Job of %s pods runs --shard_count=1: every pod "
                            "would recompute everything (set INNOSCOPE_SHARD_COUNT)"
                            % (where, job.get("completions")))
        return
    if not indexed:
        problems.append("%s: --shard_count=%d but the Job is not Indexed (completionMode: "
                        "Indexed): its pods get no completion index, so there is no shard "
                        "but 0" % (where, n))
        return
    for field in ("completions", "parallelism"):
        if job.get(field) != n:
            problems.append("%s: %s is %s but --shard_count is %d: %s" % (
                where, field, job.get(field), n,
                "shards would be missing or out of range" if field == "completions" else
                "shards would wait for each other's network items one batch at a time"))
    if not (isinstance(index, External) and str(index) == "<completion index>"):
        problems.append("%s: --shard_index=%r does not come from the pod's completion index "
                        "(%s): every pod would be the same shard" % (where, str(index),
                                                                     COMPLETION_INDEX))


# The TLS files a binary reads, by flag (libs/server/channel_security.h,
# service_host.h).
TLS_FILE_FLAGS = ("tls_cert_file", "tls_key_file", "tls_client_ca_file", "tls_ca_file",
                  "auth_token_file", "auth_file")


def MountedSource(objects: List[dict], workload: dict, container: dict, path: str
                  ) -> Optional[Tuple[str, str]]:
    """(kind, name) of the Secret or ConfigMap whose volume holds `path` in the
    container, or None when no mounted volume does."""
    volumes = {v["name"]: v for v in PodTemplate(workload)["spec"].get("volumes") or []}
    best = None
    for m in container.get("volumeMounts") or []:
        mount = m["mountPath"].rstrip("/") + "/"
        if path.startswith(mount) and (best is None or len(mount) > len(best[0])):
            best = (mount, volumes.get(m["name"]) or {})
    if best is None:
        return None
    volume = best[1]
    if "secret" in volume:
        return ("Secret", volume["secret"].get("secretName", ""))
    if "configMap" in volume:
        return ("ConfigMap", volume["configMap"].get("name", ""))
    return ("other", "")


def CheckTransport(objects, launches: List[Launch], expect: Expectations, problems):
    """With TLS expected (prod): every service serves mutual TLS, every client
    (services towards upstreams, the recompute job) verifies servers and
    presents a certificate, every file comes from a mounted Secret made by a
    cert-manager Certificate naming the workload (spiffe://innoscope/<name>),
    and the services check roles. A TLS flag set anywhere is checked the
    same way."""
    certificates = {(Namespace(c), c["spec"].get("secretName")): c for c in objects
                    if c.get("kind") == "Certificate"}
    for launch in launches:
        w, c, flags = launch.workload, launch.container, launch.flags
        where = "%s container %s" % (Name(w), c["name"])
        name = launch.service or (w["metadata"].get("labels") or {}).get(
            "app.kubernetes.io/name", w["metadata"]["name"])
        is_server = launch.service is not None
        if expect.tls:
            if is_server and not flags.get("tls_cert_file"):
                problems.append("%s: serves plaintext gRPC (no --tls_cert_file)" % where)
            if is_server and not flags.get("tls_client_ca_file"):
                problems.append("%s: does not require client certificates (no "
                                "--tls_client_ca_file)" % where)
            if is_server and not flags.get("auth_file"):
                problems.append("%s: runs without --auth_file: every caller may call every "
                                "RPC" % where)
            if is_server and str(flags.get("reflection", "false")).lower() in ("true", "1"):
                problems.append("%s: serves reflection in an overlay meant for production"
                                % where)
            calls = [f for f in flags if IsUpstreamFlag(f) and flags[f]]
            if calls and not flags.get("tls_ca_file"):
                problems.append("%s: calls its upstreams in plaintext (no --tls_ca_file)" % where)
            if calls and not is_server and not flags.get("tls_cert_file"):
                problems.append("%s: presents no client certificate (no --tls_cert_file)"
                                % where)
        for flag in TLS_FILE_FLAGS:
            path = flags.get(flag)
            if not path or flag not in launch.help.flags:
                continue
            source = MountedSource(objects, w, c, str(path))
            if source is None:
                problems.append("%s: --%s=%s is not on a mounted volume" % (where, flag, path))
                continue
            kind, secret = source
            if flag == "auth_file":
                if kind != "ConfigMap" or Find(objects, "ConfigMap", secret, Namespace(w)) is None:
                    problems.append("%s: --auth_file=%s is not on a ConfigMap of the manifests"
                                    % (where, path))
                continue
            cert = certificates.get((Namespace(w), secret))
            if kind != "Secret" or cert is None:
                problems.append("%s: --%s=%s comes from %s %s, which no cert-manager "
                                "Certificate makes" % (where, flag, path, kind, secret))
                continue
            spiffe = "spiffe://innoscope/%s" % name
            if spiffe not in (cert["spec"].get("uris") or []):
                problems.append("%s: Certificate %s does not name %s" % (
                    where, cert["metadata"]["name"], spiffe))
            if is_server and flag == "tls_cert_file" and name not in (
                    cert["spec"].get("dnsNames") or []):
                problems.append("%s: Certificate %s does not name the DNS name %r clients "
                                "dial" % (where, cert["metadata"]["name"], name))


def CheckSecurity(objects, problems):
    for w in Workloads(objects):
        pod = PodTemplate(w)["spec"]
        psc = pod.get("securityContext") or {}
        for c in Containers(PodTemplate(w)):
            where = "%s container %s" % (Name(w), c["name"])
            sc = c.get("securityContext") or {}
            eff = dict(psc, **sc)
            limits = (c.get("resources") or {}).get("limits") or {}
            requests = (c.get("resources") or {}).get("requests") or {}
            for what, have in (("limits", limits), ("requests", requests)):
                missing = [r for r in ("cpu", "memory") if r not in have]
                if missing:
                    problems.append("%s: no %s for %s" % (where, what, ", ".join(missing)))
            if eff.get("runAsNonRoot") is not True or eff.get("runAsUser") == 0:
                problems.append("%s: may run as root (runAsNonRoot must be true, runAsUser "
                                "not 0)" % where)
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append("%s: root filesystem is not read-only" % where)
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("privileged"):
                problems.append("%s: privilege escalation is not disabled" % where)
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []) or \
                    (sc.get("capabilities") or {}).get("add"):
                problems.append("%s: capabilities are not all dropped" % where)
            if (eff.get("seccompProfile") or {}).get("type") not in ("RuntimeDefault",
                                                                      "Localhost"):
                problems.append("%s: no seccompProfile RuntimeDefault" % where)


# A Secret name as kustomize's secretGenerator renders it: the name, then a
# dash and a 10-character content hash.
_HASH_SUFFIX = re.compile(r"-[a-z0-9]{10}$")


def Deployable(launch: "Launch") -> Optional[str]:
    """The deployable a container is, for its database role: a service or
    the recompute job; None for anything else (the CLI owns no schema)."""
    if launch.service is not None:
        return launch.service
    return "recompute" if launch.help.command[0] == "innoscope-recompute" else None


def CheckDatabaseRoles(objects, launches: List[Launch], problems):
    """Each deployable connects with its own database Secret
    (`innoscope-database-<name>`, docs/operations.md "Database roles"), so
    with its own PostgreSQL role owning only its schema: the URL comes from
    that Secret (never a literal or a flag), no two deployables share one,
    and a URL the manifests hold names the role innoscope_<name>."""
    used_by: Dict[str, str] = {}
    for launch in launches:
        name = Deployable(launch)
        if name is None:
            continue
        where = "%s container %s" % (Name(launch.workload), launch.container["name"])
        expected = "innoscope-database-" + name
        if "database_url" in SplitArgs(launch.argv, launch.help, [], where) or \
                "INNOSCOPE_DATABASE_URL" in launch.env:
            problems.append("%s: the database URL is given by a flag or INNOSCOPE_DATABASE_URL; "
                            "it must come from Secret %s (DATABASE_URL)" % (where, expected))
        refs = [e["valueFrom"]["secretKeyRef"] for e in launch.container.get("env") or []
                if e["name"] == "DATABASE_URL" and "secretKeyRef" in (e.get("valueFrom") or {})]
        if not refs:
            problems.append("%s: DATABASE_URL does not come from a Secret (expected %s)"
                            % (where, expected))
            continue
        secret = refs[0]["name"]
        if _HASH_SUFFIX.sub("", secret) != expected and secret != expected:
            problems.append("%s: DATABASE_URL comes from Secret %s, not %s: %s would connect "
                            "with another deployable's role" % (where, secret, expected, name))
        other = used_by.setdefault(secret, name)
        if other != name:
            problems.append("%s: Secret %s is also the database URL of %s; each deployable "
                            "needs its own role" % (where, secret, other))
        url = launch.flags.get("database_url", "")
        if url and not isinstance(url, External):
            user = urllib.parse.urlsplit(url).username
            if user != "innoscope_" + name:
                problems.append("%s: the database URL of Secret %s connects as %r, not as "
                                "innoscope_%s" % (where, secret, user, name))


def CheckReferences(objects, problems):
    """PDBs, HPAs and the ServiceMonitor point at things that exist."""
    for pdb in (o for o in objects if o.get("kind") == "PodDisruptionBudget"):
        sel = pdb["spec"].get("selector") or {}
        if not SelectedWorkloads(objects, sel, Namespace(pdb)):
            problems.append("%s selects no pod" % Name(pdb))
    for hpa in (o for o in objects if o.get("kind") == "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        target = Find(objects, ref["kind"], ref["name"], Namespace(hpa))
        if target is None:
            problems.append("%s scales %s/%s, which does not exist"
                            % (Name(hpa), ref["kind"], ref["name"]))
        elif "replicas" in target["spec"]:
            problems.append("%s sets replicas although %s owns the count (every apply would "
                            "reset it)" % (Name(target), Name(hpa)))
    services = [o for o in objects if o.get("kind") == "Service"]
    for sm in (o for o in objects if o.get("kind") == "ServiceMonitor"):
        selected = [s for s in services if Namespace(s) == Namespace(sm) and SelectorMatches(
            sm["spec"].get("selector") or {}, s["metadata"].get("labels") or {})]
        names = {s["metadata"]["name"] for s in selected}
        for svc in SERVICES:
            if svc not in names:
                problems.append("%s does not select Service %s" % (Name(sm), svc))
        for ep in sm["spec"].get("endpoints") or []:
            for s in selected:
                if ep.get("port") not in [p.get("name") for p in s["spec"].get("ports") or []]:
                    problems.append("%s: endpoint port %r is not a port of Service %s"
                                    % (Name(sm), ep.get("port"), s["metadata"]["name"]))


def CheckImages(objects, expect: Expectations, problems):
    for w in Workloads(objects):
        for c in Containers(PodTemplate(w)):
            image = c.get("image", "")
            where = "%s container %s" % (Name(w), c["name"])
            digest = "@sha256:" in image
            tag = image.split("@")[0].rsplit("/", 1)[-1].partition(":")[2]
            if not digest and tag in ("", "latest"):
                problems.append("%s: image %r is not pinned (no tag, or latest)" % (where, image))
            if expect.pinned_version and ImageRepository(image) == "innoscope" and not digest \
                    and tag != expect.pinned_version:
                problems.append("%s: image %r is not the release %s (CMakeLists.txt) or a digest"
                                % (where, image, expect.pinned_version))


def CheckConnectionBudget(objects, launches: List[Launch], problems):
    """An in-cluster PostgreSQL has room for every pool at maximum scale."""
    for sts in (o for o in objects if o.get("kind") == "StatefulSet"):
        c = PodTemplate(sts)["spec"]["containers"][0]
        args = " ".join(list(c.get("command") or []) + list(c.get("args") or []))
        m = re.search(r"max_connections=(\d+)", args)
        if not m:
            continue
        need = 0
        for launch in launches:
            if launch.help.command[0] == RECOMPUTE:
                # Every shard of a sharded job runs at once.
                job = JobSpec(launch.workload) or {}
                need += RECOMPUTE_DB_CONNECTIONS * max(1, job.get("parallelism", 1))
                continue
            if launch.service is None:
                continue
            name = launch.workload["metadata"]["name"]
            hpa = next((h for h in objects if h.get("kind") == "HorizontalPodAutoscaler"
                        and h["spec"]["scaleTargetRef"]["name"] == name), None)
            replicas = hpa["spec"]["maxReplicas"] if hpa else launch.workload["spec"].get(
                "replicas", 1)
            need += replicas * (int(launch.flags["db_pool_size"]) + 1)  # + readiness probe
        available = int(m.group(1)) - 3  # superuser_reserved_connections
        if need > available:
            problems.append("%s: max_connections=%s leaves %d connections; the pools need %d "
                            "at maximum scale" % (Name(sts), m.group(1), available, need))


# ------------------------------------------------------- network policies

@dataclasses.dataclass
class Endpoint:
    name: str
    namespace: str
    ns_labels: Dict[str, str]
    labels: Dict[str, str]
    ports: List[Tuple[int, str, str]]  # (port, name, protocol)
    ip: Optional[str] = None
    internal: bool = False  # in the overlay's namespace: its policies apply
    hosts: Tuple[str, ...] = ()  # DNS names that reach it from outside the manifests


def SyntheticEndpoints(namespace: str, ports: List[Tuple[int, str, str]],
                       external_database: Optional[str]) -> List[Endpoint]:
    """The peers outside the manifests that the policies name, and strangers
    that nothing may reach or be reached by: another pod someone adds to the
    namespace, a pod in another namespace, the internet. Strangers listen on
    every port the namespace uses, so a rule too wide on any of them shows."""
    ports = sorted(set(ports) | {(443, "https", "TCP")})
    eps = [
        Endpoint("prometheus", "monitoring", {"kubernetes.io/metadata.name": "monitoring"},
                 {"app.kubernetes.io/name": "prometheus"}, [(9090, "web", "TCP")]),
        Endpoint("pushgateway", "monitoring", {"kubernetes.io/metadata.name": "monitoring"},
                 {"app.kubernetes.io/name": "prometheus-pushgateway"}, [(9091, "http", "TCP")],
                 hosts=("prometheus-pushgateway.monitoring.svc",
                        "prometheus-pushgateway.monitoring.svc.cluster.local")),
        Endpoint("kube-dns", "kube-system", {"kubernetes.io/metadata.name": "kube-system"},
                 {"k8s-app": "kube-dns"}, [(53, "dns", "UDP"), (53, "dns-tcp", "TCP")]),
        Endpoint("stranger", namespace, {"kubernetes.io/metadata.name": namespace},
                 {"app.kubernetes.io/name": "stranger"}, ports, internal=True),
        Endpoint("other-namespace", "other", {"kubernetes.io/metadata.name": "other"},
                 {"app.kubernetes.io/name": "stranger"}, ports),
        Endpoint("internet", "", {}, {}, ports, ip="203.0.113.7"),
    ]
    if external_database:
        host, port = SplitHostPort(external_database)
        eps.append(Endpoint("external-database", "", {}, {}, [(port, "postgres", "TCP")],
                            ip=host))
    return eps


def NamespaceEndpoints(objects: List[dict]) -> List[Endpoint]:
    ns_labels = {}
    for o in objects:
        if o.get("kind") == "Namespace":
            ns_labels[o["metadata"]["name"]] = dict(
                o["metadata"].get("labels") or {},
                **{"kubernetes.io/metadata.name": o["metadata"]["name"]})
    eps = []
    for w in Workloads(objects):
        ns = Namespace(w)
        pod = PodTemplate(w)
        ports = [(p["containerPort"], p.get("name", ""), p.get("protocol", "TCP"))
                 for c in pod["spec"].get("containers") or [] for p in c.get("ports") or []]
        eps.append(Endpoint(w["metadata"]["name"], ns,
                            ns_labels.get(ns, {"kubernetes.io/metadata.name": ns}),
                            pod["metadata"].get("labels") or {}, ports, internal=True))
    return eps


def _PeerMatches(peer: dict, ep: Endpoint, policy_ns: str) -> bool:
    if "ipBlock" in peer:
        if ep.ip is None:
            return False
        ip = ipaddress.ip_address(ep.ip)
        block = peer["ipBlock"]
        return ip in ipaddress.ip_network(block["cidr"]) and not any(
            ip in ipaddress.ip_network(e) for e in block.get("except") or [])
    if "namespaceSelector" in peer:
        if ep.ip is not None or not SelectorMatches(peer["namespaceSelector"], ep.ns_labels):
            return False
    elif ep.namespace != policy_ns or ep.ip is not None:
        return False
    return SelectorMatches(peer.get("podSelector", {}), ep.labels)


def _PortMatches(rule_ports, port: Tuple[int, str, str]) -> bool:
    if not rule_ports:
        return True
    number, name, protocol = port
    for rp in rule_ports:
        if rp.get("protocol", "TCP") != protocol:
            continue
        p = rp.get("port")
        if p is None or p == name or (isinstance(p, int) and p <= number <= rp.get("endPort", p)):
            return True
    return False


def _Allowed(policies, subject: Endpoint, peer: Endpoint, port, direction: str) -> bool:
    """Whether `subject`'s policies let traffic to/from `peer` on the port of
    the destination. Not isolated (no selecting policy) means allowed."""
    if not subject.internal:
        return True
    kind, rules_key, peers_key = (("Egress", "egress", "to") if direction == "egress"
                                  else ("Ingress", "ingress", "from"))
    selecting = []
    for pol in policies:
        if Namespace(pol) != subject.namespace:
            continue
        spec = pol["spec"]
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec
                                                            else []))
        if kind in types and SelectorMatches(spec.get("podSelector", {}), subject.labels):
            selecting.append(pol)
    if not selecting:
        return True
    for pol in selecting:
        for rule in pol["spec"].get(rules_key) or []:
            peers = rule.get(peers_key) or []
            if (not peers or any(_PeerMatches(p, peer, Namespace(pol)) for p in peers)) and \
                    _PortMatches(rule.get("ports"), port):
                return True
    return False


def ExpectedFlows(objects, launches: List[Launch], endpoints: List[Endpoint],
                  problems: List[str]) -> set:
    """(source, destination, port, protocol) of every call the code makes."""
    by_name = {e.name: e for e in endpoints}
    flows = set()

    def Add(src: str, address: str, what: str, where: str, report: bool = True):
        # Upstream addresses are reported by CheckUpstreams (report=False).
        hp = SplitHostPort(address)
        if hp is None:
            if report:
                problems.append("%s: %s %r is not HOST:PORT" % (where, what, address))
            return
        host, port = hp
        external = next((e for e in endpoints if host in e.hosts or host == e.ip), None)
        if external is not None:
            flows.add((src, external.name, port, "TCP"))
            return
        landed, reason = ServiceTarget(objects, address, by_name[src].namespace)
        if landed is None:
            if report:
                problems.append("%s: %s %r: %s" % (where, what, address, reason))
            return
        for w, _, cport in landed:
            flows.add((src, w["metadata"]["name"], cport["containerPort"], "TCP"))

    for launch in launches:
        src = launch.workload["metadata"]["name"]
        where = "%s container %s" % (Name(launch.workload), launch.container["name"])
        for flag, value in launch.flags.items():
            if IsUpstreamFlag(flag):
                Add(src, value, "--" + flag, where, report=False)
        url = launch.flags.get("database_url", "")
        if isinstance(url, External):
            external = next((e for e in endpoints if e.name == "external-database"), None)
            if external is None:
                problems.append("%s: the database URL comes from a Secret outside the "
                                "manifests, but no external database is expected" % where)
            else:
                flows.add((src, external.name, external.ports[0][0], "TCP"))
        elif url:
            parsed = urllib.parse.urlsplit(url)
            Add(src, "%s:%d" % (parsed.hostname, parsed.port or 5432), "database URL", where)
        push = launch.flags.get("pushgateway_url", "")
        if push:
            parsed = urllib.parse.urlsplit(push)
            Add(src, "%s:%d" % (parsed.hostname, parsed.port or 80), "--pushgateway_url", where)
        if launch.service is not None:
            hp = SplitHostPort(launch.flags.get("metrics_address", ""))
            if hp:
                flows.add(("prometheus", src, hp[1], "TCP"))
    callers = {f[0] for f in flows if by_name.get(f[0]) and by_name[f[0]].internal}
    for src in callers:
        flows.add((src, "kube-dns", 53, "UDP"))
        flows.add((src, "kube-dns", 53, "TCP"))
    return flows


def CheckNetworkPolicies(objects, launches: List[Launch], expect: Expectations, problems):
    """Every call the code makes passes both sides' policies; no policy side
    admits anything else (DNS excepted), so a rule too wide is caught even
    while the other side happens to block it."""
    policies = [o for o in objects if o.get("kind") == "NetworkPolicy"]
    if not policies:
        return
    internal = NamespaceEndpoints(objects)
    endpoints = internal + SyntheticEndpoints(
        internal[0].namespace, [p for e in internal for p in e.ports], expect.external_database)
    expected = ExpectedFlows(objects, launches, endpoints, problems)
    for src in endpoints:
        for dst in endpoints:
            if src is dst or not (src.internal or dst.internal):
                continue
            for port in dst.ports:
                flow = (src.name, dst.name, port[0], port[2])
                egress = _Allowed(policies, src, dst, port, "egress")
                ingress = _Allowed(policies, dst, src, port, "ingress")
                if flow in expected:
                    if not (egress and ingress):
                        problems.append("NetworkPolicy blocks %s -> %s:%d/%s, a call the code "
                                        "makes" % flow + " (%s side)" % (
                                            "egress" if not egress else "ingress"))
                    continue
                if src.internal and egress and dst.name != "kube-dns":
                    problems.append("NetworkPolicy allows %s -> %s:%d/%s, a call the code does "
                                    "not make (egress of %s)" % (flow + (src.name,)))
                if dst.internal and ingress:
                    problems.append("NetworkPolicy allows %s -> %s:%d/%s, a call the code does "
                                    "not make (ingress of %s)" % (flow + (dst.name,)))


def Check(objects: List[dict], binaries: Binaries, expect: Expectations) -> List[str]:
    """Every way the rendered manifests disagree with the code; [] when none."""
    problems: List[str] = []
    launches = Launches(objects, binaries, set(expect.external_secrets), problems)
    CheckServices(objects, problems)
    CheckServers(objects, launches, problems)
    CheckUpstreams(objects, launches, problems)
    CheckCronJob(objects, launches, problems)
    CheckSecurity(objects, problems)
    CheckTransport(objects, launches, expect, problems)
    CheckDatabaseRoles(objects, launches, problems)
    CheckReferences(objects, problems)
    CheckImages(objects, expect, problems)
    CheckConnectionBudget(objects, launches, problems)
    CheckNetworkPolicies(objects, launches, expect, problems)
    return problems


# ------------------------------------------------------------------ plan

def AlertMetrics(objects: List[dict]) -> List[str]:
    """Service metric names the alerting rules use (the recompute job's come
    from the job, not the services)."""
    names = set()
    for rule_obj in (o for o in objects if o.get("kind") == "PrometheusRule"):
        for group in rule_obj["spec"]["groups"]:
            for rule in group["rules"]:
                for token in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", rule["expr"]):
                    if token.startswith(("grpc_server_", "innoscope_", "process_")) and \
                            not token.startswith("innoscope_recompute_"):
                        names.add(token)
    return sorted(names)


def Plan(objects: List[dict], binaries: Binaries) -> dict:
    """What the cluster rehearsal starts: each service's binary, arguments
    and environment exactly as the Deployments give them, in dependency
    order, plus the CronJob's command and files."""
    problems: List[str] = []
    launches = Launches(objects, binaries, set(), problems)
    if problems:
        raise RenderError("; ".join(problems))
    addresses, services, recompute = {}, {}, None
    for launch in launches:
        for flag, value in launch.flags.items():
            if IsUpstreamFlag(flag):
                addresses[value] = flag[:-len("_address")]
        entry = {"binary": launch.help.command[0], "args": launch.argv,
                 "env": {k: str(v) for k, v in launch.env.items()},
                 "upstreams": sorted(
                     f[:-len("_address")] for f in launch.flags if IsUpstreamFlag(f))}
        if launch.service:
            entry["name"] = launch.service
            services[launch.service] = entry
        else:
            pod = PodTemplate(launch.workload)["spec"]
            files = {}
            for m in launch.container.get("volumeMounts") or []:
                vol = next(v for v in pod.get("volumes") or [] if v["name"] == m["name"])
                if "configMap" in vol:
                    cm = Find(objects, "ConfigMap", vol["configMap"]["name"],
                              Namespace(launch.workload))
                    for key, text in (cm.get("data") or {}).items():
                        files[m["mountPath"].rstrip("/") + "/" + key] = text
            entry["files"] = files
            recompute = entry
    ordered, seen = [], set()

    def Visit(name):
        if name in seen:
            return
        seen.add(name)
        for up in services[name]["upstreams"]:
            if up in services:
                Visit(up)
        ordered.append(services[name])

    for name in sorted(services):
        Visit(name)
    database_urls = {e["env"].get("DATABASE_URL") for e in ordered + [recompute or {"env": {}}]
                     if "DATABASE_URL" in e["env"]}
    return {"services": ordered, "addresses": addresses, "recompute": recompute,
            "database_urls": sorted(u for u in database_urls if u),
            "alert_metrics": AlertMetrics(objects)}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("check", "check an overlay against the built binaries"),
                            ("plan", "print the rehearsal plan of an overlay as JSON")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("overlay", help="kustomization directory, e.g. k8s/overlays/dev")
        p.add_argument("--build_dir", default=BUILD_DIR)
        p.add_argument("--output", help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    try:
        objects = Render(args.overlay)
    except KubectlMissing as e:
        print("%s (%s)" % (SKIP_MESSAGE, e))
        return SKIP_EXIT_CODE
    except RenderError as e:
        print("manifests: %s" % e, file=sys.stderr)
        return 1
    try:
        binaries = Binaries(args.build_dir)
        if args.command == "plan":
            text = json.dumps(Plan(objects, binaries), indent=1, sort_keys=True) + "\n"
            if args.output:
                with open(args.output, "w") as f:
                    f.write(text)
            else:
                sys.stdout.write(text)
            return 0
        problems = Check(objects, binaries, ExpectationsFor(args.overlay))
    except RenderError as e:
        print("manifests: %s" % e, file=sys.stderr)
        return 1
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
