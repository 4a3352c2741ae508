"""``python -m rasa_extensions.action_server <rasa_sdk arguments>``: rasa-sdk's action server with
personal data masked in the logs of every process it starts (see log_masking.py)."""
from __future__ import annotations

from knowledge.privacy import install_record_masking

install_record_masking()  # at import: Sanic's worker processes import this module again

if __name__ == "__main__":
    from rasa_sdk.__main__ import main

    main()
