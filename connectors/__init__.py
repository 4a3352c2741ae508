"""Channel adapters: each turns one platform's messages into the gateway's internal messages.

- ``connectors.web``: the portal web chat, over a WebSocket (real-time pushes, replay on reconnect).
"""
