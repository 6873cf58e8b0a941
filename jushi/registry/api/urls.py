from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("zones", views.ZoneViewSet, basename="zone")
router.register("parks", views.ParkViewSet, basename="park")
router.register("industries", views.IndustryViewSet, basename="industry")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")

urlpatterns = router.urls
