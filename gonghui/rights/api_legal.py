from ninja import Router  # noqa: F401

# prefix → router, mounted under /api/v1 by gonghui/api/api.py
routers: dict[str, Router] = {}
