from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicGeneration(models.Model):
    """How many times a topic's data was written: the database's half of a visitor-cache key.

    Bumped after each commit that writes the topic (`apps.core.summaries.invalidate`), so a
    page cached for visitors stops matching as soon as the write is visible, even when the
    cache's own generation could not be written (Redis frozen or down).
    """

    topic = models.CharField(max_length=64, primary_key=True)
    generation = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("topic generation")
        verbose_name_plural = _("topic generations")

    def __str__(self):
        return f"{self.topic}: {self.generation}"
