from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "apps.transparency"
    verbose_name = _("Public money and adoption")

    def ready(self):
        from apps.accounts import personal_data as pd
        from apps.transparency.models import FundingRecord, FundingRecordChange

        pd.declare_all([
            (FundingRecord, "created_by", pd.KEPT, "who recorded public funding is part of the public record"),
            (FundingRecordChange, "actor", pd.KEPT, "the register's public history of changes"),
        ])

        from apps.core.demo import register_demo_seeder
        from apps.transparency import demo

        register_demo_seeder("transparency", demo.seed, after=("meetups",))
