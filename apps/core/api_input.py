"""Request bodies of partial updates, validated like whole ones field by field."""

from collections.abc import Mapping


def changes_input(serializer_class, data, **kwargs) -> dict:
    """The fields a PATCH sent, each validated whole.

    DRF's `partial=True` reaches into nested items too: their required fields and defaults
    are skipped, so a collaborator sent without `affiliation` arrived without the key (a
    KeyError, a 500). Dropping the fields that were not sent keeps the rest strict.
    """
    serializer = serializer_class(data=data, **kwargs)
    if isinstance(data, Mapping):
        for name in [name for name in serializer.fields if name not in data]:
            del serializer.fields[name]
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
