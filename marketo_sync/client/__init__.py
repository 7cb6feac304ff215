"""The HTTP clients, Marketo and AJO: all network access of marketo-sync goes through here.

Layers, each in its own module: ``settings`` (where and who), ``transport`` (HTTP, the only
``import requests``), ``auth`` (tokens), ``limits`` (window and concurrency), ``retry``
(which answers are retryable, how long and how often), ``classify`` (what one attempt's
outcome means, pure), ``loop`` (the one retry loop acting on it), ``envelope`` (Marketo's
answers), ``paging`` (offset/maxReturn), ``core`` (:class:`MarketoClient` tying them
together), ``api`` (one method per endpoint), and ``ajo``/``ajo_settings`` (Adobe Journey
Optimizer on the same transport, token cache and loop).
"""

from marketo_sync.client.api import MarketoApi
from marketo_sync.client.core import ClientStats, MarketoClient
from marketo_sync.client.limits import RateLimits
from marketo_sync.client.retry import RetryPolicy
from marketo_sync.client.settings import ClientSettings

__all__ = ["ClientSettings", "ClientStats", "MarketoApi", "MarketoClient", "RateLimits", "RetryPolicy"]
