"""Pages of the industrial chains; each view module lists its own routes."""

from .views import editing, export, maps, pool

app_name = "chains"
urlpatterns = maps.urlpatterns + pool.urlpatterns + export.urlpatterns + editing.urlpatterns
