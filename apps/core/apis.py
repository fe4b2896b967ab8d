from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.selectors import platform_numbers


class PlatformNumbersApi(APIView):
    """Public numbers about the community (the same as the home page), with when they were computed."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        members = serializers.IntegerField()
        members_joined_last_30_days = serializers.IntegerField()
        verified_emails = serializers.IntegerField()
        hub_repositories = serializers.IntegerField()
        hub_downloads_last_30_days = serializers.IntegerField()
        public_profiles = serializers.IntegerField()
        hackathons_upcoming = serializers.IntegerField()
        hackathons_running = serializers.IntegerField()
        hackathons_finished = serializers.IntegerField()
        meetups_upcoming = serializers.IntegerField()
        gpu_hours_granted = serializers.DecimalField(max_digits=14, decimal_places=2)
        gpu_hours_used = serializers.DecimalField(max_digits=14, decimal_places=2)
        computed_at = serializers.DateTimeField(
            help_text="When these numbers were counted; they are recomputed after changes and at least every "
                      "SUMMARY_MAX_AGE seconds.")

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(platform_numbers()).data)
