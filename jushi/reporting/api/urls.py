from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("forms", views.ReportFormViewSet, basename="reporting-form")
router.register("periods", views.ReportingPeriodViewSet, basename="reporting-period")
router.register("obligations", views.ObligationViewSet, basename="reporting-obligation")
router.register("submissions", views.SubmissionViewSet, basename="reporting-submission")
router.register("flags", views.PlausibilityFlagViewSet, basename="reporting-flag")

urlpatterns = router.urls
