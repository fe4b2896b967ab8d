from drf_spectacular.openapi import AutoSchema


class CommunityAutoSchema(AutoSchema):
    """Names serializers nested in API views after their view.

    Every API view declares its own `InputSerializer` and `OutputSerializer`;
    `MeApi.OutputSerializer` becomes the component `MeOutput`, not `Output`.
    """

    def get_serializer_name(self, serializer, direction):
        owner, _, name = type(serializer).__qualname__.rpartition(".")
        if owner:
            return owner.removesuffix("Api") + name
        return super().get_serializer_name(serializer, direction)
