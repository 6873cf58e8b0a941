from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="projects-project")
router.register("funds", views.FundsViewSet, basename="projects-funds")
router.register("problems", views.ProblemViewSet, basename="projects-problem")
router.register("events", views.EventViewSet, basename="projects-event")
router.register("stages", views.StageViewSet, basename="projects-stage")

urlpatterns = router.urls
