"""Request dependencies (``Annotated`` aliases). Each one can be replaced via ``app.dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from gateway.knowledge_service import KnowledgeProvider
from gateway.metrics import Metrics
from gateway.rasa_client import RasaClient
from gateway.settings import Settings
from persistence.messages import MessageStore


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_http_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.http


def get_rasa_client(request: Request) -> RasaClient:
    return request.app.state.rasa


def get_store(request: Request) -> MessageStore:
    return request.app.state.store


def get_knowledge_provider(request: Request) -> KnowledgeProvider:
    return request.app.state.knowledge


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
HttpClientDep = Annotated[httpx.AsyncClient, Depends(get_http_client)]
RasaDep = Annotated[RasaClient, Depends(get_rasa_client)]
StoreDep = Annotated[MessageStore, Depends(get_store)]
KnowledgeDep = Annotated[KnowledgeProvider, Depends(get_knowledge_provider)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
