from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from jushi.accounts import views as accounts_views
from jushi.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("jushi.accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/reporting/", include("jushi.reporting.api.urls")),
    path("api/indicators/", include("jushi.indicators.api.urls")),
    path("api/projects/", include("jushi.projects.api.urls")),
    path("api/chains/", include("jushi.chains.api.urls")),
    path("api/", include("jushi.registry.api.urls")),
    path("django-admin/", admin.site.urls),
    path("registry/", include("jushi.registry.urls")),
    path("reporting/", include("jushi.reporting.urls")),
    path("indicators/", include("jushi.indicators.urls")),
    path("projects/", include("jushi.projects.urls")),
    path("chains/", include("jushi.chains.urls")),
    path("", include("jushi.core.urls")),
]

# Error pages: Chinese inside the site's shell; JSON with the documented Error body under /api/.
handler400 = "jushi.core.errors.bad_request"
handler403 = "jushi.core.errors.permission_denied"
handler404 = "jushi.core.errors.page_not_found"
handler500 = "jushi.core.errors.server_error"
