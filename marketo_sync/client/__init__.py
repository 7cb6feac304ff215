"""The Marketo REST client: all network access of marketo-sync goes through here.

Layers, each in its own module: ``settings`` (where and who), ``transport`` (HTTP, the only
``import requests``), ``auth`` (tokens), ``limits`` (window and concurrency), ``retry``
(what and how long), ``envelope`` (Marketo's answers), ``paging`` (offset/maxReturn),
``core`` (:class:`MarketoClient` tying them together) and ``api`` (one method per endpoint).
"""

from marketo_sync.client.api import MarketoApi
from marketo_sync.client.core import ClientStats, MarketoClient
from marketo_sync.client.limits import RateLimits
from marketo_sync.client.retry import RetryPolicy
from marketo_sync.client.settings import ClientSettings

__all__ = ["ClientSettings", "ClientStats", "MarketoApi", "MarketoClient", "RateLimits", "RetryPolicy"]
