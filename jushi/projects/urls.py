"""Pages of the project ledger; each view module lists its own routes."""

from .views import analytics, ledger, project

app_name = "projects"
urlpatterns = ledger.urlpatterns + project.urlpatterns + analytics.urlpatterns
