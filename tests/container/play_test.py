#!/usr/bin/env python3
"""The dev overlay played as pods with podman: the image, not the binaries.

ctest label `container` (tests/container/CMakeLists.txt). Steps:

1. the image: deploy/container/build.sh --from-build BUILD_DIR (runtime stage
   from the binaries built here; reused when the image of this commit already
   holds them), or the image named by INNOSCOPE_CONTAINER_IMAGE (the full build,
   label `container_full`); it must be < 200 MB, run as the manifests' UID and
   hold exactly the five binaries (four services, innoscope-recompute), not
   the CLI;
2. `kubectl kustomize k8s/overlays/dev`, turned into what `podman kube play`
   runs on this machine (PlayObjects below: the image reference, the database
   URL pointed at the ctest fixture's PostgreSQL in a database of its own,
   unique names and loopback ports, the kinds podman cannot run dropped and
   listed), played with --network=host;
3. every service answers gRPC health `readiness` SERVING from the host
   (`innoscope status`) within 20 s of the pods starting; the demo's flow runs
   from the host CLI against the pods (regions, circles, the 2023 AI
   framework, 200 synthetic enterprises), the CronJob's pod spec runs once as
   a one-shot pod, and `innoscope ranking` equals the ranking the host-binary
   rehearsal (k8s_rehearsal_e2etest) produces, tests/data/k8s/ranking_2022.txt;
4. inside the pods: /usr/local/bin holds exactly the five binaries and the
   CLI `innoscope` is neither there nor anywhere on PATH; the process UID is
   the manifests' runAsUser, the root
   filesystem is read-only (readOnlyRootFilesystem) while the emptyDir /tmp is
   writable, a container whose process gets SIGKILL is restarted (restart
   policy Always), and SIGTERM stops every service, exit code 0, within its
   terminationGracePeriodSeconds;
5. everything it created (pods, containers, volumes, podman secrets, the
   database) is removed, also when a step fails or the test is interrupted,
   and the test checks that nothing is left.

Exit 77 (skip) without root, podman or kubectl >= 1.27, or without ../shared
(outside CI). Python standard library only.
"""

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "k8s"))
import manifests  # noqa: E402

SOURCE_DIR = manifests.SOURCE_DIR
BUILD_DIR = manifests.BUILD_DIR
SKIP = 77
CONTAINERS_CONF = os.path.join(SOURCE_DIR, "deploy", "container", "containers.conf")
GOLDEN_RANKING = os.path.join(SOURCE_DIR, "tests", "data", "k8s", "ranking_2022.txt")
FRAMEWORK = "ai_competitiveness_2023"
MAX_IMAGE_BYTES = 200 * 1000 * 1000
# The image holds exactly these, in /usr/local/bin: the four services and the
# recompute job the CronJob runs. The CLI runs on the host, never in a pod.
IMAGE_BINARIES = sorted(["innoscope-" + s for s in manifests.SERVICES] + list(manifests.JOBS))
BIN_DIR = "/usr/local/bin"
READY_WITHIN_SECONDS = 20
# The whole run, tear-down excluded; ctest's TIMEOUT is 1200 s.
DEADLINE_SECONDS = 1080


class Failure(Exception):
    pass


def Run(argv, timeout=300, check=True, input_text=None, env=None, merge=False):
    """argv's result; merge=True: stderr into stdout, as a shell's 2>&1."""
    result = subprocess.run(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT if merge else subprocess.PIPE, text=True,
                            timeout=timeout, input=input_text, env=env)
    if check and result.returncode != 0:
        raise Failure("%s exited %d:\n%s%s" % (" ".join(argv), result.returncode,
                                                result.stdout, result.stderr))
    return result


def Podman(*args, **kwargs):
    return Run(["podman"] + list(args), **kwargs)


def Say(text):
    print("container_play: " + text, flush=True)


def FreePorts(count):
    """count distinct free loopback ports, chosen by the kernel."""
    sockets, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def SharedDir():
    path = os.environ.get("INNOSCOPE_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
    return path if os.path.isdir(path) else None


# ------------------------------------------------------------ the objects

class Play:
    """What one run plays: the objects, the names it gave them, its ports."""

    def __init__(self, run_id, image, database_url):
        self.run_id = run_id
        self.image = image
        self.database_url = database_url
        self.dropped = {}         # kind -> [names] podman does not run
        self.secrets = {}         # podman secret name -> {key: base64 value}
        self.addresses = {}       # service -> 127.0.0.1:PORT (gRPC)
        self.containers = {}      # service -> podman container name
        self.run_as = {}          # service -> runAsUser of its pod
        self.grace = {}           # service -> terminationGracePeriodSeconds
        self.read_only = {}       # service -> readOnlyRootFilesystem
        self.documents = []       # what kube play gets for the services
        self.recompute_pod = None  # the CronJob's pod spec as a Pod

    def Name(self, name):
        return "%s-%s" % (self.run_id, name)


def ServiceAddresses(objects):
    """{"ingest:50051": (workload name, container port name or number)} of every Service."""
    out = {}
    for svc in objects:
        if svc.get("kind") != "Service":
            continue
        for port in svc["spec"].get("ports") or []:
            out["%s:%d" % (svc["metadata"]["name"], port["port"])] = (
                svc["spec"]["selector"].get("app.kubernetes.io/name"), port.get("targetPort"))
    return out


def Replace(value, mapping):
    """value with every string equal to a key of mapping (or --flag=key) replaced."""
    if isinstance(value, dict):
        return {k: Replace(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [Replace(v, mapping) for v in value]
    if isinstance(value, str):
        if value in mapping:
            return mapping[value]
        flag, sep, rest = value.partition("=")
        if sep and flag.startswith("--") and rest in mapping:
            return flag + "=" + mapping[rest]
    return value


def Relocate(cluster_url, local_url):
    """The cluster's database URL with host, port and database taken from
    local_url (user, password and parameters kept)."""
    c, l = urllib.parse.urlsplit(cluster_url), urllib.parse.urlsplit(local_url)
    userinfo = c.netloc.rpartition("@")[0]
    host_port = l.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((c.scheme, "%s@%s" % (userinfo, host_port), l.path, c.query,
                                    ""))


def PlayObjects(objects, play):
    """Turns the rendered overlay into what `podman kube play --network=host`
    runs here. What changes, and why:
      - names get the run's prefix (pods, ConfigMaps, Secrets, volumes are
        global in podman; parallel runs must not meet);
      - ports: all pods share the host's network, so each service listens on
        free loopback ports (INNOSCOPE_GRPC_ADDRESS/_METRICS_ADDRESS), and every
        Service address (ingest:50051) becomes 127.0.0.1:PORT;
      - the image is the local tag; the database URL's host, port and
        database are the fixture's (PostgreSQL runs on the host, so the
        overlay's postgres StatefulSet and Service are dropped);
      - Secrets become podman secrets created beforehand: podman 4.3 reads
        `secretKeyRef` from its own secret store, as a JSON map of base64
        values, and does not accept its own kube play Secret objects there;
      - environment from `fieldRef: metadata.namespace` becomes the
        namespace's name and $(VAR) references are expanded, as the kubelet
        does (podman 4.3 does neither);
      - the CronJob becomes a Pod with its job template's pod spec, run once;
      - kinds podman does not run are dropped and listed (NetworkPolicy,
        HorizontalPodAutoscaler, PodDisruptionBudget, ServiceAccount,
        Namespace, Service, ServiceMonitor, PrometheusRule, StatefulSet).
    """
    addresses = ServiceAddresses(objects)
    deployments = [o for o in objects if o.get("kind") == "Deployment"]
    ports = iter(FreePorts(sum(len(c.get("ports") or []) for d in deployments
                               for c in d["spec"]["template"]["spec"]["containers"])))
    port_map, address_map = {}, {}
    for d in deployments:
        name = d["metadata"]["name"]
        for c in d["spec"]["template"]["spec"]["containers"]:
            for p in c.get("ports") or []:
                port_map[(name, p["name"])] = port_map[(name, p["containerPort"])] = next(ports)
    for address, (workload, target) in addresses.items():
        if (workload, target) in port_map:
            address_map[address] = "127.0.0.1:%d" % port_map[(workload, target)]
    renamed = {}  # ConfigMap/Secret name -> run's name
    for o in objects:
        if o.get("kind") in ("ConfigMap", "Secret"):
            renamed[o["metadata"]["name"]] = play.Name(o["metadata"]["name"])

    def RenameRefs(workload, pod_spec, namespace):
        for c in pod_spec.get("containers") or []:
            for var in c.get("env") or []:
                # podman 4.3 has no metadata.namespace: the value Kubernetes gives.
                field = (var.get("valueFrom") or {}).get("fieldRef", {}).get("fieldPath")
                if field == "metadata.namespace":
                    var["value"] = namespace
                    del var["valueFrom"]
            # Nor does it expand $(VAR) (the variables defined before).
            defined = {}
            for var in c.get("env") or []:
                if "value" in var:
                    var["value"] = re.sub(r"\$\((\w+)\)",
                                          lambda m: defined.get(m.group(1), m.group(0)),
                                          var["value"])
                    defined[var["name"]] = var["value"]
            for source in c.get("envFrom") or []:
                ref = source.get("configMapRef") or source.get("secretRef")
                ref["name"] = renamed.get(ref["name"], ref["name"])
            for var in c.get("env") or []:
                ref = (var.get("valueFrom") or {})
                ref = ref.get("configMapKeyRef") or ref.get("secretKeyRef")
                if ref:
                    ref["name"] = renamed.get(ref["name"], ref["name"])
            if manifests.ImageRepository(c["image"]) == "innoscope":
                c["image"] = "localhost/" + play.image
                c["imagePullPolicy"] = "Never"
        for v in pod_spec.get("volumes") or []:
            if "configMap" in v:
                v["configMap"]["name"] = renamed.get(v["configMap"]["name"])
            for c in pod_spec.get("containers") or []:
                for m in c.get("volumeMounts") or []:
                    if m["name"] == v["name"]:
                        m["name"] = play.Name(workload + "-" + v["name"])
            v["name"] = play.Name(workload + "-" + v["name"])

    for o in objects:
        kind, name = o.get("kind"), o["metadata"]["name"]
        if kind == "Secret":
            data = dict(o.get("data") or {})
            for k, v in (o.get("stringData") or {}).items():
                data[k] = base64.b64encode(v.encode()).decode()
            url = base64.b64decode(data.get("url", "")).decode()
            if url.startswith("postgresql://"):  # the database Secret (innoscope-database-<hash>)
                data["url"] = base64.b64encode(Relocate(url, play.database_url).encode()).decode()
            play.secrets[renamed[name]] = data
        elif kind == "ConfigMap":
            o = Replace(o, address_map)
            o["metadata"] = {"name": renamed[name]}
            play.documents.append(o)
        elif kind == "Deployment":
            o = Replace(o, address_map)
            o["metadata"] = {"name": play.Name(name), "labels": o["metadata"].get("labels", {})}
            template = o["spec"]["template"]
            template["metadata"].setdefault("labels", {})["innoscope.test/run"] = play.run_id
            spec = template["spec"]
            RenameRefs(name, spec, manifests.Namespace(o))
            server = spec["containers"][0]
            grpc, metrics = port_map[(name, "grpc")], port_map[(name, "metrics")]
            server.setdefault("env", []).extend([
                {"name": "INNOSCOPE_GRPC_ADDRESS", "value": "127.0.0.1:%d" % grpc},
                {"name": "INNOSCOPE_METRICS_ADDRESS", "value": "127.0.0.1:%d" % metrics}])
            # Host networking publishes nothing: the Service's ports are the
            # loopback addresses above (podman refuses port mappings here).
            server.pop("ports", None)
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                if "grpc" in server.get(probe, {}):
                    server[probe]["grpc"]["port"] = grpc
            play.addresses[name] = "127.0.0.1:%d" % grpc
            # kube play names a Deployment's pods NAME-pod-0, -1, ... and their
            # containers POD-CONTAINER.
            play.containers[name] = "%s-pod-0-%s" % (play.Name(name), server["name"])
            play.run_as[name] = (server.get("securityContext") or {}).get(
                "runAsUser", (spec.get("securityContext") or {}).get("runAsUser"))
            play.grace[name] = spec.get("terminationGracePeriodSeconds", 30)
            play.read_only[name] = bool(
                (server.get("securityContext") or {}).get("readOnlyRootFilesystem"))
            play.documents.append(o)
        elif kind == "CronJob":
            o = Replace(o, address_map)
            template = o["spec"]["jobTemplate"]["spec"]["template"]
            spec = template["spec"]
            RenameRefs(name, spec, manifests.Namespace(o))
            labels = dict(template["metadata"].get("labels") or {})
            labels["innoscope.test/run"] = play.run_id
            play.recompute_pod = {"apiVersion": "v1", "kind": "Pod",
                                  "metadata": {"name": play.Name(name), "labels": labels},
                                  "spec": spec}
        else:
            play.dropped.setdefault(kind, []).append(name)
    return play


def Yaml(documents):
    # JSON is YAML: one document per object.
    return "".join("---\n%s\n" % json.dumps(d, indent=1) for d in documents)


# ---------------------------------------------------------------- the run

class Runner:
    def __init__(self):
        self.run_id = "ict%d" % os.getpid()
        self.tmp = tempfile.mkdtemp(prefix="innoscope-play-", dir=os.path.join(BUILD_DIR))
        self.play = None
        self.database = None
        self.pg_port = None
        self.cli = os.path.join(BUILD_DIR, "services", "cli", "innoscope")

    # -- set-up
    def Image(self):
        image = os.environ.get("INNOSCOPE_CONTAINER_IMAGE")
        if not image:
            out = Run([os.path.join(SOURCE_DIR, "deploy", "container", "build.sh"),
                       "--from-build", BUILD_DIR], timeout=900)
            sys.stderr.write(out.stderr)
            image = out.stdout.strip().splitlines()[-1]
        size = int(Podman("image", "inspect", "--format", "{{.Size}}", image).stdout)
        Say("image %s: %d MB" % (image, size // 1000000))
        if size >= MAX_IMAGE_BYTES:
            raise Failure("image %s is %d bytes, not < 200 MB" % (image, size))
        user = Podman("image", "inspect", "--format", "{{.Config.User}}", image).stdout.strip()
        binaries = Podman("run", "--rm", "--network=host", "--entrypoint", "ls", image,
                          BIN_DIR).stdout.split()
        if sorted(binaries) != IMAGE_BINARIES:
            raise Failure("image %s holds %s, expected %s" % (BIN_DIR, binaries, IMAGE_BINARIES))
        return image, user

    def Database(self):
        stack = os.environ.get("INNOSCOPE_TEST_STACK_DIR", os.path.join(BUILD_DIR, "test-stack"))
        with open(os.path.join(stack, "pg.env")) as f:
            env = dict(line.strip().split("=", 1) for line in f if "=" in line)
        self.pg_port = env["INNOSCOPE_PG_PORT"]
        self.database = "t_container_%d" % os.getpid()
        Run(["/usr/lib/postgresql/15/bin/createdb", "-h", "127.0.0.1", "-p", self.pg_port,
             "-U", "innoscope", self.database])
        url = "postgresql://innoscope@127.0.0.1:%s/%s" % (self.pg_port, self.database)
        # The deployables' roles and schemas, as the dev overlay's PostgreSQL
        # makes them at its first start (docs/operations.md, "Database roles").
        Run(["/usr/lib/postgresql/15/bin/psql", "-qtA", "-v", "ON_ERROR_STOP=1", url, "-f",
             os.path.join(SOURCE_DIR, "deploy", "sql", "database_roles.sql")])
        return url

    # -- the CLI against the pods
    def Cli(self, *args, timeout=600, check=True, merge=False):
        # Every command reads the addresses it needs from the environment.
        env = dict(os.environ, INNOSCOPE_STACK_FILE="/nonexistent")
        for service, address in self.play.addresses.items():
            env["INNOSCOPE_%s_ADDRESS" % service.upper()] = address
        return Run([self.cli] + list(args), timeout=timeout, check=check, env=env, merge=merge)

    def Status(self):
        return self.Cli("status", timeout=60, check=False)

    def WaitReady(self, within):
        deadline = time.monotonic() + within
        while True:
            status = self.Status()
            if status.returncode == 0:
                return status.stdout
            if time.monotonic() > deadline:
                logs = "".join("\n--- %s:\n%s" % (c, Podman("logs", "--tail", "20", c,
                                                            check=False).stderr)
                               for c in self.play.containers.values())
                raise Failure("services not ready within %d s:\n%s%s%s" % (
                    within, status.stdout, status.stderr, logs))
            time.sleep(0.5)

    def Inspect(self, container, fmt):
        return Podman("inspect", "--format", fmt, container).stdout.strip()

    # -- steps
    def Start(self):
        image, user = self.Image()
        if user.split(":")[0] != "10001":
            raise Failure("image user %r is not the manifests' runAsUser 10001" % user)
        objects = manifests.Render(os.path.join(SOURCE_DIR, "k8s", "overlays", "dev"))
        self.play = PlayObjects(objects, Play(self.run_id, image, self.Database()))
        Say("not run by podman (ignored): " + "; ".join(
            "%s %s" % (k, ", ".join(sorted(v))) for k, v in sorted(self.play.dropped.items())))
        for name, data in self.play.secrets.items():
            Podman("secret", "create", name, "-", input_text=json.dumps(data))
        path = os.path.join(self.tmp, "play.yaml")
        with open(path, "w") as f:
            f.write(Yaml(self.play.documents))
        Podman("kube", "play", "--network=host", path, timeout=300)
        started = time.monotonic()
        Say("pods started; status:\n" + self.WaitReady(READY_WITHIN_SECONDS))
        Say("every service ready after %.1f s" % (time.monotonic() - started))

    def Flow(self, shared):
        framework = os.path.join(shared, "reference", "frameworks", FRAMEWORK + ".csv")
        examples = os.path.join(SOURCE_DIR, "examples", "ai_index")
        synthetic = os.path.join(self.tmp, "synthetic")
        steps = [
            ("import", "regions", os.path.join(examples, "regions.csv")),
            ("import", "cluster_members", os.path.join(examples, "cluster_members.csv")),
            ("import", "framework", framework, "--framework", FRAMEWORK),
            ("demo", "generate", "--seed", "2023", "--enterprises", "200", "--regions",
             os.path.join(examples, "regions.csv"), "--framework", framework, "--out", synthetic),
            ("import", "actors", synthetic + "/actors.csv", "--relation_set", "ai_value_network"),
            ("import", "relations", synthetic + "/relations.csv", "--relation_set",
             "ai_value_network"),
            ("import", "observations", synthetic + "/observations.csv", "--framework", FRAMEWORK,
             "--source", "synthetic")]
        for step in steps:
            if step[0] == "demo":
                Run([self.cli] + list(step))
            else:
                self.Cli(*step)
        # The CronJob's pod spec, once, as a pod that is not restarted.
        path = os.path.join(self.tmp, "recompute.yaml")
        with open(path, "w") as f:
            f.write(Yaml([d for d in self.play.documents if d["kind"] == "ConfigMap"] +
                         [self.play.recompute_pod]))
        Podman("kube", "play", "--network=host", path)
        container = "%s-%s" % (self.play.recompute_pod["metadata"]["name"],
                               self.play.recompute_pod["spec"]["containers"][0]["name"])
        code = Podman("wait", container, timeout=900).stdout.strip()
        log = Podman("logs", container).stdout + Podman("logs", container).stderr
        if code != "0" or "innoscope-recompute: success: recomputed 1 of 1 index" not in log:
            raise Failure("the CronJob's pod exited %s:\n%s" % (code, log[-3000:]))
        Say("CronJob pod: success")
        # With its first line (stderr), as the rehearsal records it: the run id
        # there is derived from the run's inputs.
        ranking = self.Cli("ranking", "--framework", FRAMEWORK, "--period", "2022",
                           merge=True).stdout
        with open(GOLDEN_RANKING) as f:
            golden = f.read()
        if ranking != golden:
            with open(os.path.join(self.tmp, "ranking.txt"), "w") as f:
                f.write(ranking)
            raise Failure("ranking from the pods differs from the host-binary rehearsal's (%s):\n"
                          "%s" % (GOLDEN_RANKING, ranking))
        Say("ranking 2022 equals the host-binary rehearsal's")

    def Binaries(self):
        for service, container in sorted(self.play.containers.items()):
            listed = Podman("exec", container, "ls", BIN_DIR).stdout.split()
            if sorted(listed) != IMAGE_BINARIES:
                raise Failure("%s: %s in the pod holds %s, expected %s"
                              % (service, BIN_DIR, listed, IMAGE_BINARIES))
            cli = Podman("exec", container, "test", "-e", os.path.join(BIN_DIR, manifests.CLI),
                         check=False)
            if cli.returncode != 1:
                raise Failure("%s: `test -e %s/%s` exited %d, expected 1 (absent): %s"
                              % (service, BIN_DIR, manifests.CLI, cli.returncode, cli.stderr))
            found = Podman("exec", container, "sh", "-c", "command -v " + manifests.CLI,
                           check=False)
            if found.returncode == 0 or found.stdout.strip():
                raise Failure("%s: the CLI is on the pod's PATH at %s"
                              % (service, found.stdout.strip()))
        Say("every pod's %s holds exactly %s; no %s on PATH"
            % (BIN_DIR, ", ".join(IMAGE_BINARIES), manifests.CLI))

    def Security(self):
        for service, container in sorted(self.play.containers.items()):
            pid = self.Inspect(container, "{{.State.Pid}}")
            with open("/proc/%s/status" % pid) as f:
                uids = next(l for l in f if l.startswith("Uid:")).split()[1:]
            if set(uids) != {str(self.play.run_as[service])}:
                raise Failure("%s runs as UIDs %s, the manifests say runAsUser %s"
                              % (service, uids, self.play.run_as[service]))
            if not self.play.read_only[service]:
                raise Failure("%s: the manifests no longer ask for a read-only root" % service)
            write = Podman("exec", container, "touch", "/innoscope-probe", check=False)
            if write.returncode == 0 or "Read-only file system" not in write.stderr:
                raise Failure("%s: writing to / did not fail read-only: %s" % (service,
                                                                             write.stderr))
            Podman("exec", container, "touch", "/tmp/innoscope-probe")  # the emptyDir
        Say("processes run as runAsUser %s; / read-only, /tmp writable"
            % sorted(set(self.play.run_as.values())))

    def Restart(self, service):
        container = self.play.containers[service]
        pid, restarts = self.Inspect(container, "{{.State.Pid}} {{.RestartCount}}").split()
        os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 60
        while True:
            state = self.Inspect(container, "{{.State.Status}} {{.State.Pid}} {{.RestartCount}}")
            status, new_pid, new_restarts = state.split()
            if status == "running" and new_pid != pid and int(new_restarts) > int(restarts):
                break
            if time.monotonic() > deadline:
                raise Failure("%s not restarted after SIGKILL: %s" % (service, state))
            time.sleep(0.5)
        self.WaitReady(60)
        Say("%s restarted after SIGKILL (restart policy %s) and is ready again" % (
            service, self.Inspect(container, "{{.HostConfig.RestartPolicy.Name}}")))

    def Terminate(self):
        """podman stop sends SIGTERM and, after the timeout, SIGKILL: exit code 0
        within the grace period means SIGTERM alone stopped the service."""
        procs = {}
        started = time.monotonic()
        for service, container in self.play.containers.items():
            procs[service] = subprocess.Popen(
                ["podman", "stop", "--time", str(self.play.grace[service]), container],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for service, proc in sorted(procs.items()):
            proc.wait(timeout=120)
            elapsed = time.monotonic() - started
            code = self.Inspect(self.play.containers[service], "{{.State.ExitCode}}")
            if code != "0" or elapsed >= self.play.grace[service]:
                raise Failure("%s: SIGTERM: exit code %s after %.1f s (grace %d s)"
                              % (service, code, elapsed, self.play.grace[service]))
        Say("SIGTERM stopped every service with exit code 0 in %.1f s (grace %s s)"
            % (time.monotonic() - started, sorted(set(self.play.grace.values()))))

    # -- tear-down
    def Leftovers(self):
        found = []
        for what, args in (("pod", ["pod", "ps", "--format", "{{.Name}}"]),
                           ("container", ["ps", "-a", "--format", "{{.Names}}"]),
                           ("volume", ["volume", "ls", "--format", "{{.Name}}"]),
                           ("secret", ["secret", "ls", "--format", "{{.Name}}"])):
            out = Podman(*args, check=False).stdout.split()
            found += [(what, n) for n in out if n.startswith(self.run_id + "-")]
        return found

    def RemoveLeftovers(self):
        for what, name in self.Leftovers():
            if what == "pod":
                # A container restarting under its pod's restart policy (a
                # service failing at start) can make one removal lose the
                # race: stop the pod first.
                Podman("pod", "stop", "--time", "0", name, check=False)
                Podman("pod", "rm", "--force", "--time", "0", name, check=False)
        for what, name in self.Leftovers():
            if what == "container":
                Podman("rm", "--force", "--volumes", "--time", "0", name, check=False)
        for what, name in self.Leftovers():
            if what == "volume":
                Podman("volume", "rm", "--force", name, check=False)
            elif what == "secret":
                Podman("secret", "rm", name, check=False)

    def TearDown(self):
        for _ in range(3):
            self.RemoveLeftovers()
            if not self.Leftovers():
                break
            time.sleep(1)
        if self.database:
            Run(["/usr/lib/postgresql/15/bin/dropdb", "-h", "127.0.0.1", "-p", self.pg_port,
                 "-U", "innoscope", "--if-exists", "--force", self.database], check=False)
        Run(["rm", "-rf", self.tmp], check=False)
        left = self.Leftovers()
        if left:
            raise Failure("left behind: %s" % left)
        Say("torn down: no pod, container, volume or secret of %s left" % self.run_id)


def Preconditions():
    if os.geteuid() != 0:
        return "skipped: podman runs as root here"
    if subprocess.run(["sh", "-c", "command -v podman"], capture_output=True).returncode != 0:
        return "skipped: podman not found (deploy/install-deps.sh installs it)"
    try:
        manifests.Kubectl()
    except manifests.KubectlMissing as e:
        return "%s (%s)" % (manifests.SKIP_MESSAGE, e)
    return None


def main():
    os.environ.setdefault("CONTAINERS_CONF", CONTAINERS_CONF)
    skip = Preconditions()
    if skip:
        print(skip)
        return SKIP
    shared = SharedDir()
    if shared is None and os.environ.get("CI") == "true":
        print("container_play: ../shared not present, and CI=true requires it")
        return 1
    runner = Runner()

    def Interrupted(signum, frame):
        raise Failure("interrupted by signal %d" % signum)

    signal.signal(signal.SIGTERM, Interrupted)
    signal.signal(signal.SIGINT, Interrupted)
    # Before ctest's TIMEOUT (1200 s) would kill the test without a tear-down.
    signal.signal(signal.SIGALRM, Interrupted)
    signal.alarm(DEADLINE_SECONDS)
    code = 0
    try:
        runner.Start()
        runner.Binaries()
        runner.Security()
        if shared is not None:
            runner.Flow(shared)
        runner.Restart("scoring")
        runner.Terminate()
    except (Failure, subprocess.TimeoutExpired, OSError) as e:
        print("container_play: FAILED: %s" % e)
        code = 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            runner.TearDown()
        except Failure as e:
            print("container_play: FAILED: %s" % e)
            code = 1
    if code == 0 and shared is None:
        print("skipped: ../shared not present (the demo flow and ranking need it); "
              "the image, health, security and restart checks passed")
        return SKIP
    return code


if __name__ == "__main__":
    sys.exit(main())
