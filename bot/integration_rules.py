"""The rules of the integrations: outbound webhooks and the REST API (``webhooks:`` and ``api:``
in ``claimbot.yaml``)."""

from __future__ import annotations

import fnmatch
import os
from typing import Annotated

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

EndpointName = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", strip_whitespace=True)
]
EventPattern = Annotated[str, StringConstraints(pattern=r"^[a-z_.*]{1,48}$")]
TeamId = Annotated[str, StringConstraints(pattern=r"^[TE][A-Z0-9]{2,}$")]

# What an endpoint gets when its rules name no events: every change of a claim, a customer or a
# dispute — not the security records (refused clicks) nor role and team changes.
DEFAULT_EVENTS = ["claim.*", "collision.*", "dispute.*", "customer.*"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookEndpoint(_Section):
    """A receiver: where events go, the secret they are signed with, which kinds it wants."""

    name: EndpointName
    url: AnyHttpUrl
    secret: Annotated[str, StringConstraints(min_length=16)] | None = None
    # The name of an environment variable holding the secret (keeps it out of the rules file).
    secret_env: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None
    events: list[EventPattern] = Field(default_factory=lambda: list(DEFAULT_EVENTS))
    # Only these workspaces' events (empty: every workspace this deployment serves).
    workspaces: list[TeamId] = []

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookEndpoint:
        if (self.secret is None) == (self.secret_env is None):
            raise ValueError("give exactly one of secret and secret_env")
        if self.secret_env is not None and len(os.environ.get(self.secret_env, "")) < 16:
            raise ValueError(
                f"environment variable {self.secret_env} must hold a secret of 16 characters "
                "or more"
            )
        return self

    @property
    def signing_secret(self) -> str:
        """The secret deliveries are signed with."""
        if self.secret is not None:
            return self.secret
        assert self.secret_env is not None
        return os.environ[self.secret_env]

    def wants(self, workspace_id: str, action: str) -> bool:
        """Whether this endpoint subscribes to ``action`` events of ``workspace_id``."""
        if self.workspaces and workspace_id not in self.workspaces:
            return False
        return any(fnmatch.fnmatchcase(action, pattern) for pattern in self.events)


class WebhookRules(_Section):
    """Outbound webhooks: endpoints and how hard to try."""

    endpoints: list[WebhookEndpoint] = []
    timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 10.0
    # 5 s doubling to an hour between tries: 12 attempts span about four hours.
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 12

    @field_validator("endpoints")
    @classmethod
    def _unique(cls, value: list[WebhookEndpoint]) -> list[WebhookEndpoint]:
        names = [e.name for e in value]
        if len(names) != len(set(names)):
            raise ValueError("webhook endpoint names must be unique")
        return value

    def endpoint(self, name: str) -> WebhookEndpoint | None:
        """The endpoint called ``name``, if it is still configured."""
        return next((e for e in self.endpoints if e.name == name), None)


class ApiRules(_Section):
    """The REST API: rate limits per token and page sizes."""

    # Requests a token may make per minute, and how many it may make at once after a pause.
    rate_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] = 600
    burst: Annotated[int, Field(ge=1, le=100_000)] = 60
    page_size: Annotated[int, Field(ge=1, le=1000)] = 50
    max_page_size: Annotated[int, Field(ge=1, le=1000)] = 200
