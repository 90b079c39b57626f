"""OpenAPI: the error answers every operation can give, documented once
(REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from drf_spectacular import openapi
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ErrorDetail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
# A refused rule answers {"detail": …}; invalid fields answer {"<field>": ["…"]}.
ValidationErrorDetail = inline_serializer(
    "ValidationErrorDetail",
    {
        "detail": serializers.CharField(required=False),
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
    },
)

ERROR_DESCRIPTIONS = {
    400: "Invalid input, or a rule refused the change (message in `detail`)",
    401: "Token missing, invalid or expired",
    403: "Not logged in, or the role lacks the capability",
    404: "Unknown, or outside the caller's jurisdiction",
    409: "The record changed meanwhile; reload and retry",
    429: "Too many requests; see the Retry-After header",
}


class AutoSchema(openapi.AutoSchema):
    """Adds {"detail": "…"} answers for the codes the API really returns:
    400 where the operation takes input or query parameters, 401/403 where it
    needs a login, 404 on detail routes and cursor-paginated lists, 409 where the view lists the action in
    `conflict_actions`, 429 everywhere (throttles)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            body = ValidationErrorDetail if code == 400 else ErrorDetail
            responses.setdefault(str(code), self._get_response_for_code(body, str(code), direction=direction))
            responses[str(code)]["description"] = ERROR_DESCRIPTIONS[code]
        return responses

    def _error_codes(self):
        codes = [429]
        paginated = bool(self._get_pagination_parameters())
        takes_body = self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        if takes_body or paginated or self._get_filter_parameters() or self.get_override_parameters():
            codes.append(400)
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += [401, 403]
        if "{" in self.path or paginated:  # a detail route, or a list with a cursor that may be stale
            codes.append(404)
        if getattr(self.view, "action", None) in getattr(self.view, "conflict_actions", ()):
            codes.append(409)
        return sorted(codes)
