from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from jushi.lib import uscc

from ..forms import LAND_AREA_ERRORS
from ..models import Enterprise, Industry, Park, Region, Zone


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]


class ZoneSerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)

    class Meta:
        model = Zone
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "level",
            "kind",
            "region",
            "area_km2",
            "established_on",
            "is_synthetic",
        ]


class ParkSerializer(serializers.ModelSerializer):
    zone = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Park
        fields = ["id", "zone", "code", "name", "kind", "leading_industries", "area_km2", "is_synthetic"]


class IndustrySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Industry
        fields = ["code", "name", "level", "parent"]


class EnterpriseSerializer(serializers.ModelSerializer):
    """Zones, parks and industries by code. Writes go through the same services as the pages."""

    zone = serializers.SlugRelatedField(slug_field="code", queryset=Zone.objects.none())
    park = serializers.CharField(
        source="park.code", required=False, allow_null=True, allow_blank=True, default=None
    )
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True
    )
    size_years = serializers.ListField(
        child=serializers.IntegerField(min_value=2000, max_value=2100), required=False
    )
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "credit_code",
            "name",
            "zone",
            "park",
            "industry",
            "address",
            "established_on",
            "entered_on",
            "status",
            "land_area_mu",
            "contact_name",
            "contact_phone",
            "size_years",
            "is_synthetic",
            "notes",
            "created",
            "updated",
            "reason",
        ]
        read_only_fields = ["is_synthetic", "created", "updated"]
        extra_kwargs = {"land_area_mu": {"error_messages": LAND_AREA_ERRORS}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            action = "change" if self.instance is not None else "add"
            self.fields["zone"].queryset = Zone.objects.restrict(request.user, action)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["park"] = instance.park.code if instance.park_id else None
        data["size_years"] = [m.year for m in instance.size_memberships.all()]
        return data

    def validate_credit_code(self, value):
        try:
            return uscc.validate(value)
        except uscc.InvalidCode as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate(self, attrs):
        park = attrs.pop("park", None)
        park_code = park.get("code") if isinstance(park, dict) else None
        zone = attrs.get("zone") or (self.instance.zone if self.instance else None)
        if park_code:
            try:
                attrs["park"] = Park.objects.get(zone=zone, code=park_code)
            except Park.DoesNotExist as exc:
                raise serializers.ValidationError(
                    {"park": f"开发区“{zone.code}”中没有代码为“{park_code}”的园区"}
                ) from exc
        elif park is not None or "park" in self.initial_data:
            attrs["park"] = None
        fields = {k: v for k, v in attrs.items() if k not in ("size_years", "reason")}
        instance = self.instance if self.instance is not None else Enterprise()
        for key, value in fields.items():
            setattr(instance, key, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        attrs["instance"] = instance
        return attrs
