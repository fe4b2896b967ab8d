"""Extension points other apps connect to for members' data rights.

- `account_deleting(sender=User, user=...)` is sent inside the deletion transaction,
  before the account is anonymised: delete or anonymise what the app keeps about the
  person (content they authored stays, now attributed to an anonymous account).
- `personal_data_requested(sender=User, user=...)`: return a `(section, data)` pair of
  JSON-serialisable data; it is added to the member's download under `section`.
"""

from django.dispatch import Signal

account_deleting = Signal()
personal_data_requested = Signal()
