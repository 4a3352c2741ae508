"""rasa-sdk custom actions, one module per feature.

The action server imports this package at start-up; loading the knowledge base here means the
server answers its first question at full speed instead of paying the load time then."""
from knowledge.api import get_knowledge

get_knowledge()
