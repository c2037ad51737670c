"""A demo user for each role, at the organizations where such a person would sit."""

from __future__ import annotations

from gonghui.core.demo import DemoContext
from gonghui.organizations.models import Organization, OrganizationKind

from .models import User
from .roles import Role

DEMO_USERS = [
    # username, role, where, full name
    ("county_admin", Role.FEDERATION_ADMIN, "county", "刘建华"),
    ("county_staff", Role.FEDERATION_STAFF, "county", "陈晓梅"),
    ("township_staff", Role.TOWNSHIP_STAFF, "township", "王志强"),
    ("union_chair", Role.GRASSROOTS_CHAIR, "grassroots", "张桂兰"),
    ("mediator", Role.MEDIATOR, "county", "李明"),
    ("auditor", Role.AUDITOR, "county", "赵静"),
]


def seed(ctx: DemoContext) -> None:
    county = ctx.data["counties"][0]
    township = ctx.data["townships"][0]
    grassroots = (
        Organization.objects.filter(path__subtree=township.path, kind=OrganizationKind.GRASSROOTS)
        .order_by("id")
        .first()
    )
    places = {"county": county, "township": township, "grassroots": grassroots or township}
    users = []
    for username, role, where, full_name in DEMO_USERS:
        user = User(username=username, role=role, organization=places[where], full_name=full_name)
        user.set_password(ctx.password)
        users.append(user)
    if ctx.data.get("root") is not None and ctx.data["root"] != county:
        user = User(
            username="province_admin",
            role=Role.FEDERATION_ADMIN,
            organization=ctx.data["root"],
            full_name="周卫国",
        )
        user.set_password(ctx.password)
        users.append(user)
    User.objects.bulk_create(users)
    ctx.data["users"] = [(u.username, u.get_role_display(), u.organization.name) for u in users]
