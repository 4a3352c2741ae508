"""`make cluster` started once for the cluster tests: PostgreSQL, Redis, nginx and two replica sets
(Rasa, action server, gateway), exactly as `scripts/cluster.py` starts them, under a throw-away
directory; a stand-in WeChat API (tests/wechat/wechat_fakes.py) for the shared access token."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests" / "wechat"))
from cluster import Cluster, running_cluster  # noqa: E402
from wechat_fakes import APP_ID, APP_SECRET, TOKEN, StandInWeChatApi  # noqa: E402


def _install_servers() -> None:
    """What `make cluster` installs when missing (apt-get), as `make test`'s setup does for PostgreSQL."""
    for script in ("install_postgres.sh", "install_cluster_deps.sh"):
        subprocess.run([str(REPO / "scripts" / script)], check=True, timeout=600)


@pytest.fixture(scope="session")
def wechat_api() -> Iterator[StandInWeChatApi]:
    standin = StandInWeChatApi().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def cluster(wechat_api: StandInWeChatApi) -> Iterator[Cluster]:
    _install_servers()
    # directly under the temp root: PostgreSQL runs as its own user, and pytest's directories are closed to it
    work = Path(tempfile.mkdtemp(prefix="shenbao-cluster-"))
    os.chmod(work, 0o755)
    env = {
        "ASSISTANT_TODAY": "2026-11-22",
        "EXPORTS_DIR": str(work / "exports"),
        "HELPDESK_OFFICE_HOURS": "always",
        "IDEMPOTENCY_LEASE_SECONDS": "3",
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_BASE_URL": wechat_api.url,
    }
    try:
        with running_cluster(work, replicas=2, extra_env=env, timeout=600) as running:
            yield running
    finally:
        shutil.rmtree(work, ignore_errors=True)
