from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self):
        from PIL import Image

        from apps.core.readiness import register_ground_floor_checks

        # Pillow refuses images over twice this many pixels wherever one is opened;
        # services check the exact limit themselves before decoding.
        Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
        register_ground_floor_checks()

        from apps.core import metrics, request_id

        request_id.install_log_record_factory()
        request_id.carry_into_celery_tasks()

        metrics.count_celery_tasks()
        metrics.register_scrape_collector(metrics.CeleryQueueLengths())
