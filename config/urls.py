"""URL routes: the REST API under /api/, the OpenAPI schema and docs, the frontend at /."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import me, member, members, organisation, setup, sign_in, sign_out, token
from auth_store.api import AuthenticationViewSet
from builder.api.hooks import webhook
from builder.api.views import ConnectorViewSet, RunViewSet, WorkflowViewSet, health
from builder.frontend import frontend_index

router = DefaultRouter(trailing_slash=True)
router.register("workflows", WorkflowViewSet, basename="workflow")
router.register("runs", RunViewSet, basename="run")
router.register("connectors", ConnectorViewSet, basename="connector")
router.register("authentications", AuthenticationViewSet, basename="authentication")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/health/", health, name="health"),
    path("api/setup/", setup, name="setup"),
    path("api/auth/sign-in/", sign_in, name="sign-in"),
    path("api/auth/sign-out/", sign_out, name="sign-out"),
    path("api/me/", me, name="me"),
    path("api/organisation/", organisation, name="organisation"),
    path("api/organisation/members/", members, name="members"),
    path("api/organisation/members/<int:id>/", member, name="member"),
    path("api/token/", token, name="token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    # Each workflow's public webhook URL; anything under /hooks/ is the view's to answer.
    re_path(r"^hooks/(?P<token>[^/]*)(?P<path>/.*)?$", webhook, name="webhook"),
    re_path(r"^(?!api/|admin/|static/).*$", frontend_index, name="frontend"),
]
handler404 = "builder.api.exceptions.api_page_not_found"
