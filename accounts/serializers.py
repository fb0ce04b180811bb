"""Shapes of the login, token and profile endpoints' bodies (validation and shaping only, no writes).

The views read requests with them and the OpenAPI description (``accounts.openapi``) names them.
"""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.models import User


class CredentialsSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


@extend_schema_serializer(component_name="User")
class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_staff", "date_joined", "last_login"]
        read_only_fields = fields
