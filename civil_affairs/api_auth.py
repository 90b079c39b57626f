"""/api/auth/: expiring API tokens (django-rest-knox).

Login takes a username and password (not an authenticated request, as knox's own
view does) and goes through django.contrib.auth.authenticate with the Django
request, so django-axes counts failures and locks the account like the login page."""

from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox import views as knox_views
from knox.auth import TokenAuthentication
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from . import services


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Authorization: Token <token>")
    expiry = serializers.DateTimeField()


class LoginView(knox_views.LoginView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(request=LoginInput, responses=TokenOutput, summary="Log in: a new token; earlier ones are revoked")
    def post(self, request, format=None):
        credentials = LoginInput(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request._request, **credentials.validated_data)
        if user is None:  # wrong password, inactive, or locked (axes answers 429 then)
            raise ValidationError({"detail": _("用户名或密码错误。连续多次错误后账号将被暂时锁定。")})
        request.user = user
        instance, token = services.api_token_issue(user=user, ttl=self.get_token_ttl())
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return self.get_post_response(request, token, instance)


class LogoutView(knox_views.LogoutView):
    authentication_classes = (TokenAuthentication,)
    revoke_all = False

    @extend_schema(request=None, responses={204: None}, summary="Revoke the token of this request")
    def post(self, request, format=None):
        services.api_token_revoke(user=request.user, token=None if self.revoke_all else request.auth)
        user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)
        return self.get_post_response(request)


class LogoutAllView(LogoutView):
    revoke_all = True

    @extend_schema(request=None, responses={204: None}, summary="Revoke every token of the user")
    def post(self, request, format=None):
        return super().post(request, format)
