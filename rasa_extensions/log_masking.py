"""Personal data out of the Rasa server's and the action server's logs.

Both processes load ``rasa_extensions/logging.yml`` (``rasa run --logging-config-file``,
``python -m rasa_sdk --logging-config_file``); its filter factory, ``masking_filter``, installs the
masking of ``knowledge.privacy`` (standard library only, so it imports in Rasa's Python 3.10
environment) for every record of the process at creation. A handler filter alone would not do:
after reading the file Rasa installs coloredlogs' handler on the root logger, Sanic configures its
own, and Rasa reports messages it cannot parse (``/…`` with an unknown intent or bad JSON, raw
text included) through ``warnings.warn``, which only reaches logging when warnings are captured.

The action server runs its actions in Sanic worker processes that do not read the file: it is
started as ``python -m rasa_extensions.action_server``, which installs the masking on import, so
in every process Sanic spawns (they import the main module again).
"""
from __future__ import annotations

from knowledge.privacy import PiiMaskingFilter, install_record_masking


def masking_filter() -> PiiMaskingFilter:
    """The ``()`` factory of the ``pii`` filter in logging.yml: installs masking process-wide."""
    install_record_masking()
    return PiiMaskingFilter()
