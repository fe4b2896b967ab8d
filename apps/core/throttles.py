"""One API budget per caller, read and written once per request."""

from rest_framework.throttling import SimpleRateThrottle


class MemberOrVisitorRateThrottle(SimpleRateThrottle):
    """Members are counted by account at the "user" rate, visitors by address at the "anon" rate.

    DRF's AnonRateThrottle and UserRateThrottle side by side would both count a visitor
    (the user throttle falls back to the address), costing two cache round trips per
    request for no extra protection; this is the same pair of limits in one."""

    def __init__(self):  # the rate depends on the caller: chosen in allow_request
        pass

    def allow_request(self, request, view):
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if self.scope == "user":
            return self.cache_format % {"scope": "user", "ident": request.user.pk}
        return self.cache_format % {"scope": "anon", "ident": self.get_ident(request)}
