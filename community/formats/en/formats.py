# English dates as the platform writes them: "27 Feb 2027", "27 Feb 2027, 14:30".
from django.conf.locale.en.formats import *  # noqa: F401,F403 - extend Django's English formats

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
