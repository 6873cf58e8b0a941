from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("indicators", views.IndicatorViewSet, basename="indicators-indicator")
router.register("values", views.ResultViewSet, basename="indicators-value")
router.register("targets", views.TargetViewSet, basename="indicators-target")

urlpatterns = router.urls
