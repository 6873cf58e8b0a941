from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("chains", views.ChainViewSet, basename="chains-chain")
router.register("nodes", views.ChainNodeViewSet, basename="chains-node")
router.register("gaps", views.ChainGapViewSet, basename="chains-gap")
router.register("pool", views.PoolViewSet, basename="chains-pool")

urlpatterns = router.urls
