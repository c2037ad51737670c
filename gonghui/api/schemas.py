"""Input schemas shared by every area's endpoints."""

from ninja import Schema
from pydantic import model_validator
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
