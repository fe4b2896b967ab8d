"""Public money and adoption in members' data rights: who recorded funding is public record."""

from apps.accounts import personal_data as pd
from apps.transparency.models import FundingRecord, FundingRecordChange

PERSONAL_DATA = pd.PersonalData(
    app="transparency",
    rules=[
        (FundingRecord, "created_by", pd.KEPT, "who recorded public funding is part of the public record"),
        (FundingRecordChange, "actor", pd.KEPT, "the register's public history of changes"),
    ],
)
