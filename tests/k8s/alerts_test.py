#!/usr/bin/env python3
"""The alerting rules are valid PromQL and fire exactly when they should.

Takes the PrometheusRule from the rendered dev overlay, writes its groups as a
Prometheus rules file (JSON is YAML), and runs Debian's promtool on it:
`promtool check rules`, then `promtool test rules tests/k8s/alerts_test.yaml`,
whose cases give every alert a situation that fires and one that must not.

Run: ctest -R k8s_alerts_test, or python3 tests/k8s/alerts_test.py -v
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import manifests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "alerts_test.yaml")


def Groups():
    objects = manifests.Render(os.path.join(manifests.SOURCE_DIR, "k8s", "overlays", "dev"))
    rules = [o for o in objects if o["kind"] == "PrometheusRule"]
    assert len(rules) == 1, "expected one PrometheusRule, found %d" % len(rules)
    return rules[0]["spec"]["groups"]


class AlertsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.promtool = shutil.which("promtool")
        if cls.promtool is None:
            raise unittest.SkipTest("promtool not found")  # never silently: see main()
        cls.dir = tempfile.mkdtemp(prefix="innoscope-alerts-")
        cls.groups = Groups()
        with open(os.path.join(cls.dir, "rules.json"), "w") as f:
            json.dump({"groups": cls.groups}, f, indent=1)
        shutil.copy(CASES, os.path.join(cls.dir, "alerts_test.yaml"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def Promtool(self, *args):
        result = subprocess.run([self.promtool] + list(args), cwd=self.dir,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_rules_are_valid(self):
        self.Promtool("check", "rules", "rules.json")

    def test_alerts_fire_when_they_should(self):
        self.Promtool("test", "rules", "alerts_test.yaml")

    def test_every_alert_has_test_cases(self):
        with open(CASES) as f:
            tested = set(re.findall(r"alertname: (\w+)", f.read()))
        alerts = {r["alert"] for g in self.groups for r in g["rules"] if "alert" in r}
        self.assertEqual(alerts - tested, set(), "alerts without a promtool test case")

    def test_every_alert_has_a_runbook_section(self):
        with open(os.path.join(manifests.SOURCE_DIR, "docs", "operations.md")) as f:
            anchors = {m.lower() for m in re.findall(r"^#+ .*?`?(Innoscope\w+)`?", f.read(),
                                                     re.M)}
        for g in self.groups:
            for r in g["rules"]:
                if "alert" not in r:
                    continue
                runbook = r["annotations"].get("runbook", "")
                self.assertTrue(runbook.startswith("docs/operations.md#"), r["alert"])
                self.assertIn(runbook.split("#", 1)[1], anchors,
                              "%s: no heading for %s in docs/operations.md" % (r["alert"],
                                                                               runbook))


if __name__ == "__main__":
    manifests.SkipWithoutKubectl()
    if shutil.which("promtool") is None:
        print("promtool not found: install Debian's prometheus (deploy/install-deps.sh)")
        sys.exit(1)
    unittest.main(verbosity=2)
