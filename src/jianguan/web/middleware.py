"""Content Security Policy: every script, style and image comes from this site (and map tiles from the
one tile server a deployment configured)."""

from urllib.parse import urlsplit

from django.conf import settings

POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def policy() -> str:
    """The policy, with the configured tile server's origin (only that one) allowed for images."""
    tiles = settings.COMPLAINT_MAP_TILES
    if not tiles:
        return POLICY
    parts = urlsplit(tiles)
    return POLICY.replace("img-src 'self' data:;", f"img-src 'self' data: {parts.scheme}://{parts.netloc};")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page loads its own scripts inline; it is exempt, everything else is strict.
        if not request.path.startswith("/api/docs") and not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", policy())
        if settings.PRODUCTION:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


class ChineseFirstMiddleware:
    """Chinese unless the user chose otherwise: the browser's Accept-Language does not switch the UI.

    Staff on English-language browsers still work in a Chinese administration; the language switch
    (a cookie) is the only way to English. Runs before Django's LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
