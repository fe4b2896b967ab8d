"""The beat schedule of every periodic task, in one place.

django-celery-beat copies these entries into the database on start; staff can
then change intervals or disable them from the admin.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "accounts.purge-unverified": {
        "task": "workers.accounts.purge_unverified_accounts",
        "schedule": crontab(hour=3, minute=17),
    },
    "accounts.purge-expired-sessions": {
        "task": "workers.accounts.purge_expired_sessions",
        "schedule": crontab(hour=3, minute=47),
    },
    "hub.sync-all-owners": {
        "task": "workers.hub.sync_all_owners",
        "schedule": crontab(minute=23, hour="*/6"),
    },
    "compute.grant-calendar": {
        "task": "workers.compute.run_grant_calendar",
        "schedule": crontab(hour=6, minute=5),
    },
    "compute.scheduler-usage": {
        "task": "workers.compute.import_scheduler_usage",
        "schedule": crontab(minute=35),
    },
    "compute.scheduler-check": {
        "task": "workers.compute.check_schedulers",
        "schedule": crontab(hour=5, minute=20),
    },
    "transparency.adoption": {
        "task": "workers.transparency.sync_adoption",
        "schedule": crontab(hour=4, minute=41),
    },
    "hackathons.advance": {
        "task": "workers.hackathons.advance_hackathons",
        "schedule": crontab(minute="*/5"),
    },
    "hackathons.reminders": {
        "task": "workers.hackathons.send_hackathon_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "meetups.expire-offers": {
        "task": "workers.meetups.expire_meetup_offers",
        "schedule": crontab(minute="*/5"),
    },
    "meetups.reminders": {
        "task": "workers.meetups.send_meetup_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "notifications.sweep": {
        "task": "workers.notifications.sweep_notifications",
        "schedule": crontab(minute="*"),
    },
    "notifications.scheduled-announcements": {
        "task": "workers.notifications.send_scheduled_announcements",
        "schedule": crontab(minute="*"),
    },
    "notifications.digests": {
        "task": "workers.notifications.send_digests",
        "schedule": crontab(minute=7),
    },
}
