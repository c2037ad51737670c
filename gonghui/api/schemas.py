"""Input schemas shared by every area's endpoints."""

from datetime import date as _date_type
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, model_validator
from pydantic_core import PydanticCustomError


class ObjectIn(Schema):
    """An input body must be a JSON object: ninja's schemas also read attributes, so a list
    such as ``[null]`` would otherwise pass as an object whose optional fields are all unset."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, values):
        raw = getattr(values, "_obj", values)  # ninja hands over its DjangoGetter
        if not isinstance(raw, dict):
            raise PydanticCustomError("model_attributes_type", "a JSON object is required")
        return values


def _iso_date_only(value):
    """Pydantic would take a number as seconds since 1970; a date here is written YYYY-MM-DD."""
    import datetime as _dt
    import re as _re

    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and _re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()
    raise ValueError("Write the date as YYYY-MM-DD, e.g. 2026-01-31.")


# A date field of the API: ISO text only (the schema says format "date").
IsoDate = Annotated[_date_type, BeforeValidator(_iso_date_only)]
