"""Policy knowledge base: sources, typed program facts, retrieval and cited answers.

A plain library: it imports neither Rasa nor FastAPI, so actions and the gateway share it.
"""
