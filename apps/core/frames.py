"""What every WebSocket consumer accepts from a client: one parser, one set of limits.

A frame that is binary, too big, not a JSON object, nested too deep, carries a number JSON
cannot round-trip (`1e400`, `NaN`, a 400-digit integer) or a string PostgreSQL cannot
store (NUL, a lone surrogate), misses a field or comes too often is answered with an error
frame, and the socket stays open: closing would only make the client reconnect and send
it again, and a consumer that raised left its presence and relay membership behind.
"""

import json
import logging
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError

logger = logging.getLogger(__name__)

# Integers a JavaScript client reads exactly, and what a PostgreSQL bigint holds.
LARGEST_INTEGER = 2**53 - 1
clock = time.monotonic  # replaced by tests that count what a budget lets through


class FrameRefused(Exception):
    def __init__(self, message, *, status: int = 400, errors: dict | None = None, retry_after: int | None = None):
        super().__init__(message)
        self.message, self.status, self.errors, self.retry_after = message, status, errors or {}, retry_after


@dataclass(frozen=True)
class Rate:
    """At most `frames` in a burst, refilled evenly over `seconds`."""

    frames: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> "Rate":
        frames, _, seconds = text.partition("/")
        return cls(int(frames), float(seconds))


class Budget:
    """A token bucket per socket: kept in the consumer, so a flood costs no Redis call."""

    def __init__(self, rate: Rate):
        self.rate, self.tokens, self.at = rate, float(rate.frames), clock()

    def spend(self) -> None:
        now = clock()
        refill = (now - self.at) * self.rate.frames / self.rate.seconds
        self.tokens, self.at = min(float(self.rate.frames), self.tokens + refill), now
        if self.tokens < 1:
            wait = (1 - self.tokens) * self.rate.seconds / self.rate.frames
            raise FrameRefused(_("Too many frames; wait a moment."), status=429, retry_after=max(1, math.ceil(wait)))
        self.tokens -= 1


@dataclass(frozen=True)
class Integer:
    minimum: int = 0
    maximum: int = LARGEST_INTEGER
    required: bool = True
    default: int = 0

    def clean(self, value) -> int:
        # bool is an int in Python, never in a frame.
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(_("A whole number is required."))
        if not self.minimum <= value <= self.maximum:
            raise ValueError(_("Out of range."))
        return value


@dataclass(frozen=True)
class Text:
    max_length: int | None = 64  # None: only the frame's size limits it
    required: bool = False
    default: str = ""

    def clean(self, value) -> str:
        if not isinstance(value, str):
            raise ValueError(_("Text is required."))
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(_("Too long."))
        return value


@dataclass(frozen=True)
class Frame:
    """A kind of frame a consumer takes: its fields and its own rate, besides the socket's."""

    fields: dict = field(default_factory=dict)
    rate: Rate | None = None

    def clean(self, content: dict) -> dict:
        values, errors = {}, {}
        for name, spec in self.fields.items():
            if name not in content or content[name] is None:
                if spec.required:
                    errors[name] = [_("This field is required.")]
                else:
                    values[name] = spec.default
                continue
            try:
                values[name] = spec.clean(content[name])
            except ValueError as error:
                errors[name] = [str(error)]
        if errors:
            raise FrameRefused(_("Malformed frame."), errors=errors)
        return values


def _refuse_constant(name):
    raise FrameRefused(_("Numbers must be finite."))


def _finite_float(text):
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise FrameRefused(_("Numbers must be finite."))
    return number


def _bounded_int(text):
    if len(text.lstrip("-")) > len(str(LARGEST_INTEGER)):
        raise FrameRefused(_("Number out of range."))
    return int(text)


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode()  # a lone surrogate (an escaped half pair) is not UTF-8
    except UnicodeEncodeError:
        return False
    return True


def _check_tree(content, max_depth: int) -> None:
    """Depth and strings of a parsed frame, walked without recursion."""
    stack = [(content, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if not _storable(node):
                raise FrameRefused(_("Text may not contain NUL or unpaired surrogate characters."))
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > max_depth:
            raise FrameRefused(_("Frame nested too deep."))
        children = node.items() if isinstance(node, dict) else ((None, item) for item in node)
        for key, value in children:
            if key is not None:
                stack.append((key, depth))
            stack.append((value, depth + 1))


def parse_frame(text_data: str | None, bytes_data: bytes | None) -> dict:
    """The JSON object a client sent, or FrameRefused saying why not."""
    if text_data is None:
        raise FrameRefused(_("Frames must be text (JSON)."))
    if len(text_data) > settings.WEBSOCKET_FRAME_MAX_CHARACTERS:
        raise FrameRefused(_("Frame too large."), status=413)
    try:
        content = json.loads(
            text_data, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except RecursionError:
        raise FrameRefused(_("Frame nested too deep.")) from None
    except ValueError:
        raise FrameRefused(_("Frames must be JSON.")) from None
    if not isinstance(content, dict):
        raise FrameRefused(_("A frame must be a JSON object."))
    _check_tree(content, settings.WEBSOCKET_FRAME_MAX_DEPTH)
    return content


class ValidatedFrames:
    """Mixin for a JSON consumer: a frame `{"type": kind, ...}` listed in `frames` reaches
    `frame_<kind>(values)` with its fields cleaned; anything else is answered with an error frame."""

    frames: dict[str, Frame] = {}

    def _budget(self, key: str, rate: Rate) -> Budget:
        budgets = self.__dict__.setdefault("_frame_budgets", {})
        if key not in budgets:
            budgets[key] = Budget(rate)
        return budgets[key]

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        kind, client_id = None, None
        try:
            self._budget("", Rate.parse(settings.WEBSOCKET_FRAME_RATE)).spend()
            content = parse_frame(text_data, bytes_data)
            kind, client_id = content.get("type"), content.get("client_id")
            spec = self.frames.get(kind) if isinstance(kind, str) else None
            if spec is None:
                raise FrameRefused(_("Unknown frame."))
            if spec.rate is not None:
                self._budget(kind, spec.rate).spend()
            await getattr(self, f"frame_{kind}")(spec.clean(content))
        except FrameRefused as refusal:
            await self._send_error(kind, client_id, refusal.status, refusal.message, refusal.errors, refusal.retry_after)
        except ApplicationError as error:
            await self._send_error(kind, client_id, error.status_code, error.message, error.errors)
        except Exception:
            # A bug behind one frame must not end the socket (the client would reconnect
            # and send it again); it is logged with its traceback and answered.
            logger.exception("WebSocket frame %r failed", kind)
            await self._send_error(kind, client_id, 500, _("Something went wrong; try again."))

    async def _send_error(self, kind, client_id, status, message, errors=None, retry_after=None):
        frame = {
            "type": "error",
            "for": kind if isinstance(kind, str) and kind in self.frames else None,
            "client_id": client_id if isinstance(client_id, str) else None,
            "status": status,
            "message": str(message),
            "errors": {name: [str(m) for m in messages] for name, messages in (errors or {}).items()},
        }
        if retry_after is not None:
            frame["retry_after"] = retry_after
        await self.send_json(frame)
