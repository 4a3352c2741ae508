"""rasa-sdk custom actions, one module per feature.

The action server answers with the knowledge base loaded up front, so the first question is as
fast as the rest. Sanic imports this package twice: in its manager process and in the worker that
serves requests; only the worker (SANIC_WORKER_NAME is set there) needs the knowledge base."""
import os

from knowledge.api import get_knowledge

if os.environ.get("SANIC_WORKER_NAME"):
    get_knowledge()
