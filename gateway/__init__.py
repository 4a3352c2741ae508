"""申报助手 gateway: the one public HTTP service (chat, FAQ, health, metrics).

Build the app with :func:`gateway.app.create_app`; run it with ``python -m gateway``.
"""
