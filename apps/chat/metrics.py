"""Chat's Prometheus metrics (apps/core/metrics.py serves them)."""

from prometheus_client import Counter

CHAT_FRAMES = Counter("community_chat_frames_total", "Frames chat clients sent to the server.")
