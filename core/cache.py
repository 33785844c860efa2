"""The Django cache on Redis, made to survive a Redis outage.

Redis is the Celery broker and the cache. Nothing that must not be lost lives in the cache
(sessions are in PostgreSQL), so while Redis is down a read is a miss and a write is skipped,
with a warning in the log, instead of a server error on every page that touches the cache
(allauth's rate limits on login, the open-data API). ``add`` answers False ("already there"):
callers use it for once-only guarantees (allauth marks a used authenticator code with it), which
must fail closed.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _unavailable(operation: str) -> None:
    logger.warning("cache unavailable (%s): Redis does not answer", operation, exc_info=True)


class ResilientRedisCache(RedisCache):
    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError:
            _unavailable("get")
            return default

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError:
            _unavailable("get_many")
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError:
            _unavailable("has_key")
            return False

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError:
            _unavailable("set")

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except RedisError:
            _unavailable("set_many")
            return list(data)

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError:
            _unavailable("add")
            return False

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return super().touch(key, timeout, version)
        except RedisError:
            _unavailable("touch")
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError:
            _unavailable("delete")
            return False

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError:
            _unavailable("delete_many")
