"""Deliveries by status, read from the database at each scrape: the backlog is the
formation's, not one process's (apps/core/metrics.py serves them)."""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from apps.notifications.models import Delivery

WATCHED = (Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.FAILED)


class DeliveriesByStatus:
    def collect(self):
        counts = dict(
            Delivery.objects.filter(status__in=WATCHED).values_list("status").annotate(n=Count("id")).order_by()
        )
        family = GaugeMetricFamily("community_notification_deliveries", "E-mail deliveries by status.",
                                   labels=["status"])
        for status in WATCHED:
            family.add_metric([status], counts.get(status, 0))
        yield family
