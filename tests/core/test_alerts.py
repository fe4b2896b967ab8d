"""docs/alerts.yml: valid for Prometheus, one rule per failure the operators must hear about,
each saying what to do, and only about metrics the code exports."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "alerts.yml"
FAILURES = {"NodeDown", "RedisErrors", "PostgresUnreachable", "MailBacklog", "HubSyncLate",
            "HighErrorRate", "HighLatencyP99", "LoginBudgetRefusalsSpike"}


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def test_promtool_accepts_the_rules():
    promtool = shutil.which("promtool")
    assert promtool, "promtool is needed (Debian package `prometheus`)"
    checked = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_failure_has_a_rule_that_says_what_to_do():
    rules = _rules()
    assert FAILURES <= {rule["alert"] for rule in rules}
    for rule in rules:
        assert rule["annotations"]["summary"] and len(rule["annotations"]["action"]) > 40, rule["alert"]


def test_rules_watch_only_metrics_the_code_exports():
    source = "\n".join(path.read_text() for path in (ROOT / "apps").rglob("metrics.py"))
    exported = set(re.findall(r'"(community_[a-z0-9_]+)"', source))
    for rule in _rules():
        for name in re.findall(r"community_[a-z0-9_]+", rule["expr"]):
            family = re.sub(r"_(bucket|count|sum)$", "", name)
            assert family in exported or name in exported, f"{rule['alert']}: {name} is not exported"
