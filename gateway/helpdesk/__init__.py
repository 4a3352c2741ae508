"""Helpdesk: hand a conversation to staff and back to the bot.

- ``accounts``: staff accounts (Argon2 hashes), console sessions, login lockout, presence
- ``service``: the queue and handoff life cycle (request, claim, release, hand back, close,
  cancel, ratings), all state in the gateway database
- ``hours``: office hours; outside them (or with nobody online) applicants leave a message
- ``faq``: answers staff save as FAQ entries, used by FAQ search and by the bot at once
- ``bus``: events between gateway processes (in-process, or PostgreSQL LISTEN/NOTIFY)
- ``runtime``: wiring into the gateway (routing during a handoff, notices, delivery, fan-out)
- ``staff``: the command that creates staff accounts
"""
