"""Pages of the industrial chains; each view module lists its own routes."""

from .views import editing, maps, pool

app_name = "chains"
urlpatterns = maps.urlpatterns + pool.urlpatterns + editing.urlpatterns
