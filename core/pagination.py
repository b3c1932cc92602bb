"""API pagination with bounds: a page is at most MAX_LIMIT rows, and numbers beyond the database's range are 400s."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from core.params import MAX_DB_INT, int_param


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def get_limit(self, request: Request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return self.default_limit
        limit = int_param(raw, low=1, high=MAX_DB_INT)
        if limit is None:
            raise ValidationError({self.limit_query_param: [f"Give a whole number from 1 to {self.max_limit}."]})
        return min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        offset = int_param(raw, low=0, high=MAX_DB_INT - self.max_limit)
        if offset is None:
            raise ValidationError({self.offset_query_param: ["Give a whole number of rows to skip, 0 or more."]})
        return offset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_limit}
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 0}
        return parameters
