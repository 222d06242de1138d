"""The one way records are read: `Model.objects.visible_to(user, action)`.

Each scoped model defines a classmethod `scope(queryset, actor, action)` returning the queryset
narrowed to what the actor may do. Other apps may widen a model's scope (an expert's assignment
makes a proposal visible to them) by registering an extension, so no app edits another's model.
Views, exports and the API all read through this; missing and forbidden both answer 404.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.http import Http404

security_log = logging.getLogger("legend50.security")

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
EXPORT = "export"

# model label -> list of callables (actor, action) -> Q | None
_scope_extensions: dict[str, list[Callable]] = defaultdict(list)


def register_scope_extension(model_label: str, extension: Callable) -> None:
    """Let another app grant access to `model_label` ("app_label.ModelName") rows: the callable
    returns a Q of extra rows the actor may act on, or None."""
    if extension not in _scope_extensions[model_label]:
        _scope_extensions[model_label].append(extension)


def extension_q(model, actor, action) -> Q | None:
    combined = None
    for extension in _scope_extensions.get(model._meta.label, ()):
        q = extension(actor, action)
        if q is not None:
            combined = q if combined is None else combined | q
    return combined


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = VIEW):
        from .actors import actor_for

        actor = actor_for(user)
        scope = getattr(self.model, "scope", None)
        if scope is None:
            # Unscoped models are readable by staff only; a model that should be public says so.
            return self if actor.reads_everything and action == VIEW else self.none()
        narrowed = scope(self, actor, action)
        extra = extension_q(self.model, actor, action)
        if extra is not None:
            narrowed = narrowed | self.filter(extra)
        return narrowed.distinct() if extra is not None else narrowed


def log_authorization_failure(request, *, model: str, object_ref: str, action: str) -> None:
    from .models import AuthorizationFailure

    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    security_log.warning(
        "authorization failed: user=%s action=%s model=%s object=%s path=%s",
        user_id,
        action,
        model,
        object_ref,
        request.path,
    )
    AuthorizationFailure.objects.create(
        user_id=user_id,
        path=request.path[:500],
        method=request.method,
        model=model,
        object_ref=str(object_ref)[:200],
        action=action,
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )


def get_visible_or_404(queryset_or_model, request, action: str = VIEW, **lookup):
    """Fetch one record the request's user may act on, or raise 404 — the same for missing and
    forbidden — logging the attempt when the record exists but is out of scope."""
    queryset = (
        queryset_or_model._default_manager.all() if isinstance(queryset_or_model, type) else queryset_or_model
    )
    try:
        return queryset.visible_to(request.user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        if queryset.model._default_manager.filter(**lookup).exists():
            log_authorization_failure(
                request, model=queryset.model._meta.label, object_ref=str(lookup), action=action
            )
        raise Http404("not found") from None
