from django.shortcuts import render

from apps.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """Pages get the same answer to a refused action as the API: status and message.

    Views that show forms catch `InvalidInput` themselves to put messages next to
    fields; anything else a service refuses ends here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        return render(
            request,
            "core/error.html",
            {"message": exception.message, "errors": exception.errors, "status": exception.status_code},
            status=exception.status_code,
        )
