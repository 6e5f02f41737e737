"""The command-line edge: quiet library logging, and an AssistantError turned into one line and exit code 2."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from assistant.errors import AssistantError

NOISY_LOGGERS = ("pypdf", "chromadb", "httpx", "sentence_transformers", "transformers")


def run_command(command: Callable[[], int], interrupted: str = "interrupted.") -> int:
    """Run a CLI command; errors become `error: ...` on stderr (exit 2), Ctrl-C exits 130."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        return command()
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
