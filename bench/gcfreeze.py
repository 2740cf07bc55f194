"""As ``wsgi.py`` does once the app is loaded: what is loaded stays out of the collector."""

import gc


def settle() -> None:
    gc.collect()
    gc.freeze()
