"""Exceptions of the assistant. Each message is one line a user can act on."""


class AssistantError(Exception):
    """Base class: str(exc) is a one-line message that says what is wrong and what to do."""


class ConfigError(AssistantError):
    """A setting (environment variable) has an unusable value."""


class IndexMissing(AssistantError):
    """No index exists yet in the data folder."""


class EmbeddingMismatch(AssistantError):
    """The index was built with another embedding model than the one configured."""


class StoreUnavailable(AssistantError):
    """The Chroma store (folder or server) cannot be reached."""


class IngestLocked(AssistantError):
    """Another ingest holds the lock on the data folder."""


class LoadError(AssistantError):
    """A file could not be turned into text; the message names the file and the reason."""


class UnsupportedFile(LoadError):
    """The file's extension is not one the loaders read (skipped, not a failure)."""


class LLMUnavailable(AssistantError):
    """The configured language model cannot be reached or loaded."""
