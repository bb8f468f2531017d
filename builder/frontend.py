"""Serves the built frontend's index.html for every page route (the app routes in the browser)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

MISSING_BUILD = (
    "<!doctype html><title>Flowbuilder</title><p>The frontend is not built yet: run "
    "<code>make run</code> (or <code>npm --prefix frontend run build</code>).</p>"
)


@ensure_csrf_cookie
def frontend_index(request: HttpRequest) -> HttpResponse:
    index = settings.FRONTEND_DIST_DIR / "index.html"
    if not index.exists():
        return HttpResponse(MISSING_BUILD, status=503)
    return HttpResponse(index.read_text(), content_type="text/html")
