"""What every API endpoint shares: the bearer token, the rate limit and CORS.

`api_endpoint(scope, require_token)` wraps a view with all three. Refusals say nothing about
why (no body): a caller probing tokens learns only that this one does not work.
"""

import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from redis.exceptions import RedisError

from interop.models import ApiClient
from portal.lockout import client_address

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60

type View = Callable[..., HttpResponse]


def bearer_token(request: HttpRequest) -> str:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticated_client(request: HttpRequest, scope: str) -> ApiClient | None:
    """The usable client whose token the request carries, if that client holds `scope`."""
    token = bearer_token(request)
    client = ApiClient.objects.for_token(token) if token else None
    if client is None or not client.allows(scope):
        return None
    client.mark_used()
    return client


def client_of(request: HttpRequest) -> ApiClient | None:
    """The client whose token let this request through `api_endpoint`, if one did."""
    return getattr(request, "api_client", None)


def seconds_until_allowed(key: str, limit: int, now: float | None = None) -> int:
    """0 while `key` has made at most `limit` requests in this minute, counting this one;
    otherwise the seconds until the next minute starts. A fixed window in the shared cache, so
    every worker process counts the same requests. A cache out of reach limits nothing: the
    API keeps working, unlimited, as sessions do (portal.session_engine)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    counter = f"interop:rate:{key}:{window}"
    try:
        cache.add(counter, 0, timeout=WINDOW_SECONDS + 1)
        count = cache.incr(counter)
    except (RedisError, ValueError) as error:  # ValueError: the counter expired in between
        logger.warning("API rate limit not applied (%s)", type(error).__name__)
        return 0
    if count <= limit:
        return 0
    return max(1, (window + 1) * WINDOW_SECONDS - int(now))


def with_cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Browsers let scripts from API_CORS_ORIGINS read the response; without the setting, no
    header is sent and the browser's same-origin rule stands."""
    origin = request.headers.get("Origin", "")
    if origin and origin in settings.API_CORS_ORIGINS:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    # Caches must not hand one origin's answer to another, allowed or not.
    patch_vary_headers(response, ["Origin"])
    return response


def unauthorized() -> HttpResponse:
    response = HttpResponse(status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_endpoint(scope: str, *, require_token: Callable[[], bool]) -> Callable[[View], View]:
    """The view answers a client with a token for `scope`, or anyone while `require_token()`
    is false; each client (or, without a valid token, each address) at most
    API_RATE_LIMIT_PER_MINUTE times a minute, so guessing tokens is limited too. Requests
    carry no session or cookie to protect, so CSRF does not apply."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method == "OPTIONS":  # a browser's CORS preflight
                return with_cors(request, HttpResponse(status=204))
            client = authenticated_client(request, scope) if require_token() else None
            key = f"client:{client.pk}" if client else f"address:{client_address(request)}"
            retry_after = seconds_until_allowed(key, settings.API_RATE_LIMIT_PER_MINUTE)
            if retry_after:
                response = HttpResponse(status=429)
                response["Retry-After"] = str(retry_after)
            elif client is None and require_token():
                response = unauthorized()
            else:
                request.api_client = client  # type: ignore[attr-defined]  # read by client_of
                response = view(request, *args, **kwargs)
            return with_cors(request, response)

        return wrapped

    return decorate
