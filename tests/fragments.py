"""Counting how often shared fragments (apps/core/fragments.py) are drawn, for the tests of
the pages that share them."""

from collections import Counter

from apps.core.fragments import SharedFragment


def count_drawings(monkeypatch) -> Counter:
    """How many times each fragment (by name) is rendered rather than read from the cache."""
    drawn = Counter()
    render = SharedFragment.render

    def counted(fragment, draw):
        def drawing():
            drawn[fragment.name] += 1
            return draw()
        return render(fragment, drawing)

    monkeypatch.setattr(SharedFragment, "render", counted)
    return drawn
