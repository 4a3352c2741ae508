"""deploy/compose.yaml and deploy/k8s/ give each service the settings `make cluster` gives it, under
the names the code reads. Docker cannot run here: the files are parsed, and the names are taken
from the code itself (the pydantic settings classes, scripts/cluster.py, the Rasa endpoints file),
so a misspelt, missing or stale variable fails here rather than in production."""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
import yaml
from pydantic_settings import BaseSettings

from gateway.settings import Settings as GatewaySettings
from knowledge.settings import KnowledgeSettings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CLUSTER_ENDPOINTS = REPO / "scripts" / "cluster_endpoints.yml"
SERVICES = ("rasa", "actions", "gateway")
# Read by libraries rather than by our settings classes: libpq (psycopg, Rasa's SQL tracker store)
# takes the database password from PGPASSWORD; uvicorn trusts X-Forwarded-For from FORWARDED_ALLOW_IPS.
LIBPQ_PASSWORD = "PGPASSWORD"
UVICORN_PROXIES = "FORWARDED_ALLOW_IPS"
RASA_OWN = {"LOG_LEVEL"}  # Rasa's own log level variable


def _load_script(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(path.stem, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def env_names(settings_class: type[BaseSettings]) -> set[str]:
    """The environment variables a pydantic settings class reads (its aliases where it has them)."""
    return {(field.validation_alias if isinstance(field.validation_alias, str) else name).upper()
            for name, field in settings_class.model_fields.items()}


@pytest.fixture(scope="module")
def scripts() -> tuple[ModuleType, ModuleType]:
    sys.path.insert(0, str(REPO / "scripts"))
    return _load_script(REPO / "scripts" / "stack.py"), _load_script(REPO / "scripts" / "cluster.py")


@pytest.fixture(scope="module")
def cluster_env(scripts: tuple[ModuleType, ModuleType]) -> dict[str, str]:
    """What scripts/cluster.py passes to every replica set (no process started)."""
    _, cluster = scripts
    infra = {name: cluster.Infra(name, None, port) for name, port in (("postgres", 5432), ("redis", 6379))}
    return cluster.Cluster(infra=infra).shared_env(rasa_port=5005, actions_port=5055)


@pytest.fixture(scope="module")
def process_env(scripts: tuple[ModuleType, ModuleType], tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The variables scripts/stack.py sets for every process of `make run` (PYTHONPATH, SANIC_HOST, …)."""
    stack, _ = scripts
    with mock.patch.dict(os.environ, {}, clear=True):
        return set(stack.Stack(var_dir=tmp_path_factory.mktemp("var"))._env())


@pytest.fixture(scope="module")
def endpoint_vars() -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", CLUSTER_ENDPOINTS.read_text()))


@pytest.fixture(scope="module")
def allowed(process_env: set[str], endpoint_vars: set[str]) -> dict[str, set[str]]:
    """Per service, every variable some code in that process reads."""
    settings = env_names(GatewaySettings) | env_names(KnowledgeSettings)
    interpreter = process_env - settings  # PYTHONPATH, SANIC_HOST, MALLOC_ARENA_MAX, …: not settings of ours
    app = settings | interpreter | {LIBPQ_PASSWORD}
    gateway = app | {UVICORN_PROXIES}
    return {"rasa": endpoint_vars | interpreter | RASA_OWN | {LIBPQ_PASSWORD},
            "actions": app, "gateway": gateway,
            "migrate": gateway, "purge": gateway}  # one-off gateway commands, with the gateway's settings


@pytest.fixture(scope="module")
def required(cluster_env: dict[str, str], endpoint_vars: set[str]) -> dict[str, set[str]]:
    """Per service, what it must be given: make cluster's settings that its code reads, and what
    containers need besides (the listening address, the shared exports folder, the password)."""
    gateway_reads = {name for name in cluster_env if name in env_names(GatewaySettings)}
    return {
        "rasa": endpoint_vars | {LIBPQ_PASSWORD},
        "actions": {"DATABASE_URL", "EXPORTS_DIR", "SANIC_HOST", LIBPQ_PASSWORD},
        "migrate": {"DATABASE_URL", LIBPQ_PASSWORD},
        "purge": {"DATABASE_URL", "RASA_TRACKER_DB", "EXPORTS_DIR", LIBPQ_PASSWORD},
        "gateway": gateway_reads | {"EXPORTS_DIR", "GATEWAY_HOST", UVICORN_PROXIES, LIBPQ_PASSWORD},
    }


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def manifests() -> list[dict]:
    return [doc for path in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def compose_env(compose: dict) -> dict[str, dict[str, str]]:
    return {name: dict(service.get("environment") or {}) for name, service in compose["services"].items()
            if name in (*SERVICES, "migrate")}


def pod_spec(doc: dict) -> dict | None:
    if doc["kind"] in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"]
    return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"] if doc["kind"] == "CronJob" else None


def k8s_containers(manifests: list[dict]) -> dict[str, dict]:
    """Our image's containers by name (rasa, actions, gateway, migrate, purge)."""
    return {container["name"]: container for doc in manifests if (spec := pod_spec(doc))
            for container in spec["containers"]}


def k8s_env(manifests: list[dict]) -> dict[str, dict[str, object]]:
    config_maps = {doc["metadata"]["name"]: doc.get("data") or {} for doc in manifests if doc["kind"] == "ConfigMap"}
    environments: dict[str, dict[str, object]] = {}
    for name, container in k8s_containers(manifests).items():
        env: dict[str, object] = {}
        for source in container.get("envFrom", []):
            env.update(config_maps[source["configMapRef"]["name"]])  # a missing ConfigMap is a KeyError here
        env.update({item["name"]: item.get("value", item.get("valueFrom")) for item in container.get("env", [])})
        environments[name] = env
    return environments


def _check_environments(environments: dict[str, dict[str, object]], allowed: dict[str, set[str]],
                        required: dict[str, set[str]]) -> None:
    assert set(SERVICES) <= set(environments)
    for service, env in environments.items():
        unknown = set(env) - allowed[service]
        assert not unknown, f"{service}: variables no code of it reads (misspelt?): {sorted(unknown)}"
        missing = required[service] - set(env)
        assert not missing, f"{service}: settings make cluster gives it are missing: {sorted(missing)}"


def test_compose_gives_each_service_the_settings_its_code_reads(compose, allowed, required) -> None:
    _check_environments(compose_env(compose), allowed, required)


def test_k8s_gives_each_service_the_settings_its_code_reads(manifests, allowed, required) -> None:
    _check_environments(k8s_env(manifests), allowed, required)


def test_every_setting_make_cluster_passes_reaches_a_service(cluster_env, required) -> None:
    """A variable cluster.py starts passing must be placed in the deployment (RASA_ENDPOINTS is
    the file given to `rasa run --endpoints`, checked below)."""
    placed = set().union(*required.values())
    assert set(cluster_env) - {"RASA_ENDPOINTS"} <= placed


def test_rasa_uses_make_clusters_endpoints_file(compose, manifests) -> None:
    def endpoints_argument(command: list[str]) -> str:
        return command[command.index("--endpoints") + 1]

    rasa = compose["services"]["rasa"]
    mounts = {target: (DEPLOY / source).resolve() for source, target, *_ in (v.split(":") for v in rasa["volumes"])}
    assert mounts[endpoints_argument(rasa["command"])] == CLUSTER_ENDPOINTS

    container = k8s_containers(manifests)["rasa"]
    mount = next(m for m in container["volumeMounts"] if endpoints_argument(container["command"]).startswith(m["mountPath"] + "/"))
    pod = next(doc for doc in manifests if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "rasa")
    config_map_name = next(v["configMap"]["name"] for v in pod["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
    config_map = next(doc for doc in manifests if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == config_map_name)
    file_name = Path(endpoints_argument(container["command"])).name
    assert config_map["data"][file_name] == CLUSTER_ENDPOINTS.read_text(), "deploy/k8s/rasa-endpoints.yaml: copy scripts/cluster_endpoints.yml again"


def test_compose_nginx_is_generated_from_make_clusters_template() -> None:
    render_nginx = _load_script(DEPLOY / "render_nginx.py")
    assert (DEPLOY / "nginx.conf").read_text() == render_nginx.generated(), "run .venv/bin/python deploy/render_nginx.py"


def test_addresses_point_at_services_that_listen_there(compose, manifests) -> None:
    """RASA_URL, ACTION_SERVER_URL, ACTION_ENDPOINT_URL and the databases name a host and port that exist."""
    nginx_ports = {int(port) for port in re.findall(r"^\s*listen (\d+);", (DEPLOY / "nginx.conf").read_text(), re.M)}
    compose_listeners = {("nginx", port) for port in nginx_ports} | {("postgres", 5432), ("redis", 6379)}
    k8s_listeners = {(doc["metadata"]["name"], port["port"]) for doc in manifests if doc["kind"] == "Service"
                     for port in doc["spec"]["ports"]}
    for environments, listeners in ((compose_env(compose), compose_listeners), (k8s_env(manifests), k8s_listeners)):
        for service, env in environments.items():
            for name in ("RASA_URL", "ACTION_SERVER_URL", "ACTION_ENDPOINT_URL", "DATABASE_URL", "RASA_TRACKER_DB"):
                if name in env:
                    host, port = re.search(r"//(?:[^@/]*@)?([\w.-]+):(\d+)", str(env[name])).groups()
                    assert (host, int(port)) in listeners, f"{service}: {name}={env[name]} reaches nothing"
            if "RASA_TRACKER_PG_HOST" in env:
                assert (env["RASA_TRACKER_PG_HOST"], int(env["RASA_TRACKER_PG_PORT"])) in listeners
                assert (env["REDIS_HOST"], int(env["REDIS_PORT"])) in listeners


def test_every_service_is_replicated_and_every_manifest_applied(compose, manifests) -> None:
    for service in SERVICES:
        assert compose["services"][service]["deploy"]["replicas"] >= 2
    deployments = {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == "Deployment"}
    assert all(deployments[service]["spec"]["replicas"] >= 2 for service in SERVICES)
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
