"""Collaborators of the API routes, built once per process from the function's settings."""

from functools import cache

from mentiondesk.config import StoreSettings
from mentiondesk.store.factory import Store, store_for


@cache
def store() -> Store:
    return store_for(StoreSettings.from_env().table_name)
