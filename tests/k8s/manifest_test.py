#!/usr/bin/env python3
"""The Kubernetes manifests are wired the way the code expects.

Renders every overlay with `kubectl kustomize` and checks it against the built
binaries (tests/k8s/manifests.py). Each kind of mistake the checker claims to
catch is also planted in a copy of the rendered dev overlay, and the checker
must report it: a checker that silently stopped checking fails here.

Run: ctest -R k8s_manifest_test, or python3 tests/k8s/manifest_test.py -v
(INNOSCOPE_BUILD_DIR selects the build; default <checkout>/build).
"""

import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manifests  # noqa: E402

K8S = os.path.join(manifests.SOURCE_DIR, "k8s")
OVERLAYS = sorted(os.listdir(os.path.join(K8S, "overlays")))
RENDERED = {}
BINARIES = manifests.Binaries()


def setUpModule():
    for overlay in OVERLAYS:
        RENDERED[overlay] = manifests.Render(os.path.join(K8S, "overlays", overlay))


def Obj(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def Container(objects, kind, name):
    return manifests.PodTemplate(Obj(objects, kind, name))["spec"]["containers"][0]


def SetEnv(container, name, value):
    container["env"] = [e for e in container.get("env") or [] if e["name"] != name]
    if value is not None:
        container["env"].append({"name": name, "value": value})


def Policy(objects, name):
    return Obj(objects, "NetworkPolicy", name)["spec"]


def AssertEveryMistakeCaught(test, mistakes, rendered, overlay):
    """Plants each mistake in a copy of `rendered` and asserts the checker
    reports it (with the expectations of `overlay`)."""
    for what, plant, expected in mistakes:
        with test.subTest(mistake=what):
            objects = copy.deepcopy(rendered)
            plant(objects)
            problems = manifests.Check(objects, manifests.Binaries(),
                                       manifests.OVERLAY_EXPECTATIONS[overlay])
            test.assertTrue(any(expected in p for p in problems),
                            "expected a problem containing %r, got:\n%s"
                            % (expected, "\n".join(problems) or "(none)"))


# Each mistake: (what, how to plant it in the rendered dev overlay, a phrase
# the checker's report must contain).
def _DropRule(objects, policy, index):
    del Policy(objects, policy)["egress"][index]


def _RemoveLimits(objects):
    del Container(objects, "Deployment", "scoring")["resources"]["limits"]


def _RunAsRoot(objects):
    pod = manifests.PodTemplate(Obj(objects, "Deployment", "ingest"))["spec"]
    pod["securityContext"]["runAsUser"] = 0


def _CronJobContainer(objects):
    return manifests.PodTemplate(Obj(objects, "CronJob", "recompute"))["spec"]["containers"][0]


def _LetNetworkCallWeighting(objects):
    # Both sides opened, as someone wiring a new call would.
    Policy(objects, "network")["egress"].append(
        {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "weighting"}}}],
         "ports": [{"protocol": "TCP", "port": 50052}]})
    Policy(objects, "weighting")["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0][
        "values"].append("network")


def _OpenIngest(objects):
    # Everything in the namespace may call ingest, e.g. postgres.
    Policy(objects, "ingest")["ingress"][0]["from"] = [{"podSelector": {}}]


def _Set(d, key, value):
    d[key] = value


def _DatabaseSecret(objects, name):
    """The rendered Secret of generator `name` (with its hash suffix)."""
    return next(s for s in objects if s["kind"] == "Secret"
                and s["metadata"]["name"].rsplit("-", 1)[0] == name)


def _ScoringUsesIngestSecret(objects):
    env = Container(objects, "Deployment", "scoring")["env"]
    ref = next(e for e in env if e["name"] == "DATABASE_URL")["valueFrom"]["secretKeyRef"]
    ref["name"] = _DatabaseSecret(objects, "innoscope-database-ingest")["metadata"]["name"]


def _SetSecretUrl(objects, name, url):
    secret = _DatabaseSecret(objects, name)
    secret.pop("data", None)
    secret["stringData"] = {"url": url}


MISTAKES = [
    ("Service selects no pod",
     lambda o: _Set(Obj(o, "Service", "weighting")["spec"], "selector",
                    {"app.kubernetes.io/name": "weigthing"}),
     "Service weighting selects no pod"),
    ("Service targetPort is not a container port",
     lambda o: _Set(Obj(o, "Service", "scoring")["spec"]["ports"][0], "targetPort", 50099),
     "targetPort 50099 is not a container port"),
    ("readiness probe on the metrics port",
     lambda o: _Set(Container(o, "Deployment", "network")["readinessProbe"]["grpc"], "port",
                    9104),
     "readinessProbe hits port 9104, not the gRPC port 50054"),
    ("liveness probe over HTTP",
     lambda o: _Set(Container(o, "Deployment", "ingest"), "livenessProbe",
                    {"httpGet": {"port": 9101, "path": "/metrics"}}),
     "livenessProbe is not a grpc probe"),
    ("readiness probe on the liveness entry",
     lambda o: _Set(Container(o, "Deployment", "ingest")["readinessProbe"]["grpc"], "service",
                    ""),
     "readinessProbe asks for health entry ''"),
    ("container port differs from the listen address",
     lambda o: SetEnv(Container(o, "Deployment", "weighting"), "INNOSCOPE_GRPC_ADDRESS",
                      "0.0.0.0:8080"),
     "container port 'grpc' is 50052 but the binary listens on 8080"),
    ("upstream address with a wrong port",
     lambda o: SetEnv(Container(o, "Deployment", "scoring"), "INNOSCOPE_WEIGHTING_ADDRESS",
                      "weighting:50053"),
     "Service weighting has no port 50053"),
    ("upstream address naming no Service",
     lambda o: SetEnv(Container(o, "Deployment", "network"), "INNOSCOPE_INGEST_ADDRESS",
                      "ingestion:50051"),
     "'ingestion' names no Service"),
    ("upstream address pointing at another service",
     lambda o: SetEnv(Container(o, "Deployment", "scoring"), "INNOSCOPE_WEIGHTING_ADDRESS",
                      "ingest:50051"),
     "not weighting's gRPC port"),
    ("upstream left at its localhost default",
     lambda o: SetEnv(Container(o, "Deployment", "weighting"), "INNOSCOPE_INGEST_ADDRESS", None),
     "--ingest_address='localhost:50051': 'localhost' names no Service"),
    ("flag the binary does not have",
     lambda o: _Set(Container(o, "Deployment", "ingest"), "args", ["--worker_count=4"]),
     "flag --worker_count is not accepted by innoscope-ingest"),
    ("environment variable no flag reads",
     lambda o: SetEnv(Container(o, "Deployment", "ingest"), "INNOSCOPE_WEIGHTING_ADDRESS",
                      "weighting:50052"),
     "environment variable INNOSCOPE_WEIGHTING_ADDRESS is not read by innoscope-ingest"),
    ("misspelt configuration key",
     lambda o: _Set(Obj(o, "ConfigMap", next(c["metadata"]["name"] for c in o
                                              if c["kind"] == "ConfigMap" and c["metadata"][
                                                  "name"].startswith("innoscope-config")))[
                        "data"], "INNOSCOPE_DB_POOLSIZE", "8"),
     "environment variable INNOSCOPE_DB_POOLSIZE is not read"),
    ("binary that does not exist",
     lambda o: _Set(Container(o, "Deployment", "network"), "command", ["innoscope-graph"]),
     "'innoscope-graph'] is not an Innoscope binary"),
    ("grace period shorter than drain + shutdown grace",
     lambda o: _Set(manifests.PodTemplate(Obj(o, "Deployment", "scoring"))["spec"],
                    "terminationGracePeriodSeconds", 20),
     "terminationGracePeriodSeconds 20 does not cover"),
    ("startup probe shorter than the database wait",
     lambda o: _Set(Container(o, "Deployment", "ingest")["startupProbe"], "failureThreshold", 10),
     "the startup probe allows 20 s"),
    ("CronJob running something else",
     lambda o: _Set(_CronJobContainer(o), "command", ["sh", "-c", "innoscope-recompute"]),
     "not the recompute command"),
    ("CronJob running the CLI's front instead of the job binary",
     lambda o: _Set(_CronJobContainer(o), "command",
                    ["innoscope", "recompute", "--config", "/etc/innoscope/recompute.yaml"]),
     "not the recompute command"),
    ("CronJob forcing every run",
     lambda o: _Set(_CronJobContainer(o), "args", ["--force"]),
     "not the recompute command"),
    ("CronJob allowing concurrent runs",
     lambda o: _Set(Obj(o, "CronJob", "recompute")["spec"], "concurrencyPolicy", "Allow"),
     "concurrencyPolicy is not Forbid"),
    ("CronJob restarting in place",
     lambda o: _Set(manifests.PodTemplate(Obj(o, "CronJob", "recompute"))["spec"],
                    "restartPolicy", "OnFailure"),
     "restartPolicy is not Never"),
    ("CronJob without its config file",
     lambda o: _Set(_CronJobContainer(o), "volumeMounts", []),
     "/etc/innoscope/recompute.yaml is not mounted from a ConfigMap"),
    ("recompute job not told where scoring is",
     lambda o: SetEnv(_CronJobContainer(o), "INNOSCOPE_SCORING_ADDRESS", None),
     "--scoring_address=''"),
    ("recompute job set through a variable `innoscope-recompute --help` does not list",
     lambda o: SetEnv(_CronJobContainer(o), "INNOSCOPE_DRY_RUN", "true"),
     "environment variable INNOSCOPE_DRY_RUN is not read"),
    ("container without limits",
     _RemoveLimits, "Deployment/scoring container server: no limits for cpu, memory"),
    ("container running as root",
     _RunAsRoot, "Deployment/ingest container server: may run as root"),
    ("writable root filesystem",
     lambda o: _Set(Container(o, "StatefulSet", "postgres")["securityContext"],
                    "readOnlyRootFilesystem", False),
     "StatefulSet/postgres container postgres: root filesystem is not read-only"),
    ("NetworkPolicy blocking a call the code makes",
     lambda o: _DropRule(o, "scoring", 1),
     "NetworkPolicy blocks scoring -> weighting:50052/TCP"),
    ("NetworkPolicy blocking database access",
     lambda o: _Set(Policy(o, "postgres")["ingress"][0]["from"][0]["podSelector"][
         "matchExpressions"][0], "values", ["ingest", "weighting", "scoring", "network"]),
     "NetworkPolicy blocks recompute -> postgres:5432/TCP"),
    ("NetworkPolicy blocking Prometheus",
     lambda o: _Set(Policy(o, "prometheus-scrape")["ingress"][0]["ports"][0], "port", "grpc"),
     "NetworkPolicy blocks prometheus -> ingest:9101/TCP"),
    ("NetworkPolicy allowing a call the code does not make",
     _LetNetworkCallWeighting,
     "NetworkPolicy allows network -> weighting:50052/TCP, a call the code does not make"),
    ("NetworkPolicy opening a service to the namespace",
     _OpenIngest, "NetworkPolicy allows postgres -> ingest:50051/TCP"),
    ("no default deny",
     lambda o: o.remove(Obj(o, "NetworkPolicy", "default-deny")),
     "NetworkPolicy allows internet -> stranger:443/TCP"),
    ("database egress to anywhere",
     lambda o: Policy(o, "database")["egress"][0].pop("to"),
     "NetworkPolicy allows ingest -> internet:5432/TCP"),
    ("Deployment replicas fighting the HPA",
     lambda o: _Set(Obj(o, "Deployment", "ingest")["spec"], "replicas", 3),
     "Deployment/ingest sets replicas although"),
    ("PDB selecting nothing",
     lambda o: _Set(Obj(o, "PodDisruptionBudget", "network")["spec"], "selector",
                    {"matchLabels": {"app.kubernetes.io/name": "netwrk"}}),
     "PodDisruptionBudget/network selects no pod"),
    ("ServiceMonitor missing a service",
     lambda o: Obj(o, "ServiceMonitor", "innoscope")["spec"]["selector"]["matchExpressions"][0][
         "values"].remove("scoring"),
     "ServiceMonitor/innoscope does not select Service scoring"),
    ("scrape annotation on the wrong port",
     lambda o: _Set(manifests.PodTemplate(Obj(o, "Deployment", "weighting"))["metadata"][
         "annotations"], "prometheus.io/port", "9101"),
     "prometheus.io/{scrape,path,port} annotations"),
    ("image on latest",
     lambda o: _Set(Container(o, "Deployment", "ingest"), "image", "innoscope:latest"),
     "image 'innoscope:latest' is not pinned"),
    ("database Secret missing",
     lambda o: o.remove(next(s for s in o if s["kind"] == "Secret"
                             and s["metadata"]["name"].startswith("innoscope-database"))),
     "references Secret innoscope-database"),
    ("a service connecting with another deployable's database Secret",
     _ScoringUsesIngestSecret,
     "DATABASE_URL comes from Secret innoscope-database-ingest"),
    ("two deployables sharing one database Secret",
     _ScoringUsesIngestSecret,
     "is also the database URL of ingest"),
    ("database URL written into the manifest",
     lambda o: SetEnv(Container(o, "Deployment", "network"), "DATABASE_URL",
                      "postgresql://innoscope_network@postgres:5432/innoscope"),
     "Deployment/network container server: DATABASE_URL does not come from a Secret"),
    ("database URL given as a flag",
     lambda o: _Set(_CronJobContainer(o), "args",
                    ["--database_url=postgresql://innoscope@postgres:5432/innoscope"]),
     "the database URL is given by a flag"),
    ("a deployable's Secret connecting as the administrator",
     lambda o: _SetSecretUrl(o, "innoscope-database-weighting",
                             "postgresql://innoscope:innoscope-dev@postgres:5432/innoscope"),
     "connects as 'innoscope', not as innoscope_weighting"),
    ("PostgreSQL too small for the pools",
     lambda o: _Set(Container(o, "StatefulSet", "postgres"), "args",
                    ["-c", "max_connections=50"]),
     "max_connections=50 leaves 47 connections; the pools need 74"),
]


# The sharded recompute component (k8s/components/sharded-recompute), on
# top of each overlay as an overlay would add it.
SHARDED = os.path.join(K8S, "components", "sharded-recompute")
SHARDED_RENDERED = {}


def Sharded(overlay):
    if overlay not in SHARDED_RENDERED:
        SHARDED_RENDERED[overlay] = manifests.RenderWithComponents(
            os.path.join(K8S, "overlays", overlay), [SHARDED])
    return SHARDED_RENDERED[overlay]


def _Job(objects):
    return Obj(objects, "CronJob", "recompute")["spec"]["jobTemplate"]["spec"]


def _RecomputeLaunch(objects):
    """How the CronJob's container starts, flags resolved as the binary would."""
    launches = manifests.Launches(objects, BINARIES,
                                  {"innoscope-database-" + d for d in manifests.DEPLOYABLES}, [])
    return next(l for l in launches if l.help.command[0] == manifests.RECOMPUTE)


# Mistakes in a sharded recompute job, planted in the dev overlay with the
# component.
SHARD_MISTAKES = [
    ("fewer completions than shards",
     lambda o: _Set(_Job(o), "completions", 2),
     "completions is 2 but --shard_count is 3"),
    ("shards run one after the other",
     lambda o: _Set(_Job(o), "parallelism", 1),
     "parallelism is 1 but --shard_count is 3"),
    ("a Job that is not Indexed",
     lambda o: _Job(o).pop("completionMode"),
     "--shard_count=3 but the Job is not Indexed"),
    ("every pod the same shard",
     lambda o: SetEnv(_CronJobContainer(o), "INNOSCOPE_SHARD_INDEX", "0"),
     "--shard_index='0' does not come from the pod's completion index"),
    ("an Indexed Job whose pods do not know they are shards",
     lambda o: SetEnv(_CronJobContainer(o), "INNOSCOPE_SHARD_COUNT", None),
     "an Indexed Job of 3 pods runs --shard_count=1"),
    ("a shard count that is no number",
     lambda o: SetEnv(_CronJobContainer(o), "INNOSCOPE_SHARD_COUNT", "three"),
     "--shard_count='three' is not a whole number"),
    ("PostgreSQL too small for the shards' connections",
     lambda o: _Set(Container(o, "StatefulSet", "postgres"), "args",
                    ["-c", "max_connections=80"]),
     "max_connections=80 leaves 77 connections; the pools need 78"),
]


class ShardedRecomputeTest(unittest.TestCase):
    """k8s/components/sharded-recompute makes the CronJob's Job an Indexed
    Job whose pods are the shards of one run."""

    def test_component_is_wired_on_every_overlay(self):
        for overlay in OVERLAYS:
            with self.subTest(overlay=overlay):
                objects = Sharded(overlay)
                problems = manifests.Check(objects, BINARIES,
                                           manifests.OVERLAY_EXPECTATIONS[overlay])
                self.assertEqual(problems, [], "\n".join(problems))
                job = _Job(objects)
                self.assertEqual(job["completionMode"], "Indexed")
                self.assertEqual(job["completions"], 3)
                self.assertEqual(job["parallelism"], 3)
                launch = _RecomputeLaunch(objects)
                # The binary's own flags: --shard_count from the variable,
                # --shard_index from the pod's completion index.
                self.assertEqual(launch.flags["shard_count"], "3")
                self.assertEqual(str(launch.flags["shard_index"]), "<completion index>")
                self.assertIn("JOB_COMPLETION_INDEX", launch.help.flags["shard_index"].envs)

    def test_overlays_without_it_run_one_process(self):
        for overlay, objects in RENDERED.items():
            with self.subTest(overlay=overlay):
                job = _Job(objects)
                self.assertNotIn("completionMode", job)
                self.assertEqual(_RecomputeLaunch(objects).flags["shard_count"], "1")

    def test_every_planted_sharding_mistake_is_caught(self):
        AssertEveryMistakeCaught(self, SHARD_MISTAKES, Sharded("dev"), "dev")


# Mistakes in the transport security of the prod overlay (k8s/components/tls
# and --auth_file), planted in its rendering.
def _Volume(objects, kind, name, volume):
    pod = manifests.PodTemplate(Obj(objects, kind, name))["spec"]
    return next(v for v in pod["volumes"] if v["name"] == volume)


def _Mount(objects, kind, name, volume):
    return next(m for m in Container(objects, kind, name)["volumeMounts"]
                if m["name"] == volume)


def _DropPort(objects, name, port):
    c = Container(objects, "Deployment", name)
    c["ports"] = [p for p in c["ports"] if p["name"] != port]


def _ServerEnv(name, variable, value):
    """Plants `variable`=`value` in Deployment `name`'s server container."""
    return lambda o: SetEnv(Container(o, "Deployment", name), variable, value)


TLS_MISTAKES = [
    ("a service left plaintext", _ServerEnv("weighting", "INNOSCOPE_TLS_CERT_FILE", ""),
     "Deployment/weighting container server: serves plaintext gRPC"),
    ("client certificates not required",
     _ServerEnv("ingest", "INNOSCOPE_TLS_CLIENT_CA_FILE", ""),
     "Deployment/ingest container server: does not require client certificates"),
    ("a service calling its upstream in plaintext",
     _ServerEnv("scoring", "INNOSCOPE_TLS_CA_FILE", ""),
     "Deployment/scoring container server: calls its upstreams in plaintext"),
    ("the recompute job without a client certificate",
     lambda o: SetEnv(_CronJobContainer(o), "INNOSCOPE_TLS_CERT_FILE", None),
     "CronJob/recompute container recompute: presents no client certificate"),
    ("role checks off", _ServerEnv("network", "INNOSCOPE_AUTH_FILE", ""),
     "Deployment/network container server: runs without --auth_file"),
    ("reflection in production", _ServerEnv("ingest", "INNOSCOPE_REFLECTION", "true"),
     "Deployment/ingest container server: serves reflection"),
    ("a probe on the TLS port",
     lambda o: _Set(Container(o, "Deployment", "ingest")["readinessProbe"]["grpc"], "port",
                    50051),
     "readinessProbe hits port 50051, not the health port 8086"),
    ("no container port for health",
     lambda o: _DropPort(o, "network", "health"),
     "Deployment/network container server: container port 'health' is None"),
    ("the certificate not mounted where the flag points",
     lambda o: _Set(_Mount(o, "Deployment", "scoring", "tls"), "mountPath", "/etc/tls"),
     "--tls_cert_file=/var/run/secrets/innoscope/tls/tls.crt is not on a mounted volume"),
    ("a Secret no Certificate makes",
     lambda o: _Set(_Volume(o, "Deployment", "scoring", "tls")["secret"], "secretName",
                    "scoring-certs"),
     "comes from Secret scoring-certs, which no cert-manager Certificate makes"),
    ("another workload's certificate",
     lambda o: _Set(_Volume(o, "Deployment", "network", "tls")["secret"], "secretName",
                    "ingest-tls"),
     "Certificate ingest does not name spiffe://innoscope/network"),
    ("a server certificate without the DNS name clients dial",
     lambda o: _Set(Obj(o, "Certificate", "weighting")["spec"], "dnsNames", ["weighting.local"]),
     "Certificate weighting does not name the DNS name 'weighting'"),
]


class TransportSecurityTest(unittest.TestCase):
    """Prod includes k8s/components/tls: no workload is left plaintext."""

    def test_prod_serves_mutual_tls_with_roles(self):
        objects = RENDERED["prod"]
        names = sorted(o["metadata"]["name"] for o in objects if o["kind"] == "Certificate")
        self.assertEqual(names, sorted(["innoscope-ca", "cli", "recompute"] +
                                       list(manifests.SERVICES)))
        launches = manifests.Launches(objects, BINARIES, {"innoscope-database"}, [])
        self.assertEqual(len(launches), 5)
        for launch in launches:
            with self.subTest(workload=launch.workload["metadata"]["name"]):
                self.assertTrue(launch.flags["tls_cert_file"])
                self.assertTrue(launch.flags["tls_ca_file"])
                if launch.service:
                    self.assertEqual(launch.flags["health_address"], "0.0.0.0:8086")
                    self.assertEqual(launch.flags["auth_file"], "/etc/innoscope-auth/auth.csv")

    def test_dev_is_plaintext_with_reflection(self):
        launches = manifests.Launches(RENDERED["dev"], BINARIES, set(), [])
        for launch in (l for l in launches if l.service):
            self.assertEqual(launch.flags["tls_cert_file"], "")
            self.assertEqual(launch.flags["reflection"], "true")

    def test_every_planted_transport_mistake_is_caught(self):
        AssertEveryMistakeCaught(self, TLS_MISTAKES, RENDERED["prod"], "prod")


class RenderTest(unittest.TestCase):
    def test_every_overlay_renders(self):
        self.assertEqual(OVERLAYS, ["dev", "prod"])
        for overlay, objects in RENDERED.items():
            kinds = {o["kind"] for o in objects}
            self.assertLessEqual({"Deployment", "Service", "CronJob", "NetworkPolicy",
                                  "ServiceMonitor", "PrometheusRule", "HorizontalPodAutoscaler",
                                  "PodDisruptionBudget"}, kinds, overlay)

    def test_base_renders_alone(self):
        objects = manifests.Render(os.path.join(K8S, "base"))
        self.assertEqual(sorted(o["metadata"]["name"] for o in objects
                                if o["kind"] == "Deployment"), sorted(manifests.SERVICES))


class OverlayTest(unittest.TestCase):
    def test_overlays_are_wired_as_the_code_expects(self):
        for overlay, objects in RENDERED.items():
            with self.subTest(overlay=overlay):
                problems = manifests.Check(objects, BINARIES,
                                           manifests.OVERLAY_EXPECTATIONS[overlay])
                self.assertEqual(problems, [], "\n".join(problems))

    def test_prod_differs_from_dev_where_intended(self):
        dev, prod = RENDERED["dev"], RENDERED["prod"]
        self.assertIn("StatefulSet", {o["kind"] for o in dev})
        self.assertNotIn("StatefulSet", {o["kind"] for o in prod})
        self.assertNotIn("Secret", {o["kind"] for o in prod})  # created out of band
        for hpa in (o for o in prod if o["kind"] == "HorizontalPodAutoscaler"):
            self.assertGreaterEqual(hpa["spec"]["minReplicas"], 3)


class CheckerSelfTest(unittest.TestCase):
    """Each mistake planted in the dev overlay is reported."""

    def test_every_planted_mistake_is_caught(self):
        AssertEveryMistakeCaught(self, MISTAKES, RENDERED["dev"], "dev")

    def test_prod_database_policy_must_match_the_external_database(self):
        objects = copy.deepcopy(RENDERED["prod"])
        Policy(objects, "database")["egress"][0]["to"][0]["ipBlock"]["cidr"] = "198.51.100.0/24"
        problems = manifests.Check(objects, BINARIES, manifests.OVERLAY_EXPECTATIONS["prod"])
        self.assertIn("NetworkPolicy blocks ingest -> external-database:5432/TCP, a call the "
                      "code makes (egress side)", problems)

    def test_dev_database_init_is_the_roles_script(self):
        # The postgres image cannot read outside the overlay, so the dev
        # overlay holds a copy of the one roles script: it must not drift.
        with open(os.path.join(manifests.SOURCE_DIR, "deploy", "sql",
                               "database_roles.sql")) as f:
            script = f.read()
        with open(os.path.join(K8S, "overlays", "dev", "initdb",
                               "10-database-roles.sql")) as f:
            self.assertEqual(f.read(), script,
                             "cp deploy/sql/database_roles.sql "
                             "k8s/overlays/dev/initdb/10-database-roles.sql")
        init = next(o for o in RENDERED["dev"] if o["kind"] == "ConfigMap"
                    and o["metadata"]["name"].startswith("postgres-initdb"))
        self.assertEqual(init["data"]["10-database-roles.sql"], script)
        self.assertIn("/docker-entrypoint-initdb.d",
                      [m["mountPath"] for m in Container(RENDERED["dev"], "StatefulSet",
                                                         "postgres")["volumeMounts"]])

    def test_prod_image_must_be_the_release(self):
        objects = copy.deepcopy(RENDERED["prod"])
        Container(objects, "Deployment", "ingest")["image"] = "registry.example.com/innoscope:0.0.9"
        problems = manifests.Check(objects, BINARIES, manifests.OVERLAY_EXPECTATIONS["prod"])
        self.assertTrue(any("is not the release" in p for p in problems), problems)


if __name__ == "__main__":
    manifests.SkipWithoutKubectl()
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
