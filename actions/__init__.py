"""rasa-sdk custom actions, one module per feature.

The action server loads the knowledge base up front, so the first question is as fast as the
rest. Sanic imports this package twice: in its manager process and in the worker that serves
requests; only the worker (SANIC_WORKER_NAME is set there) needs the knowledge base. It loads in
a background thread: Sanic kills a worker that has not reported ready within 30 s, which a
loaded machine can exceed; a request arriving earlier simply waits for the load to finish."""
import os
import threading

from knowledge.api import get_knowledge
from knowledge.overlay import set_overlay
from persistence.rounds import database_overlay

set_overlay(database_overlay())  # staff's round changes, read from the database all processes share
if os.environ.get("SANIC_WORKER_NAME"):
    threading.Thread(target=get_knowledge, name="knowledge-warm-up", daemon=True).start()
