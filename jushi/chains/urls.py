"""Pages of the industrial chains; each view module lists its own routes."""

from .views import maps, pool

app_name = "chains"
urlpatterns = maps.urlpatterns + pool.urlpatterns
