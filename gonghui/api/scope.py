def scope_model(model):
    """Declare which scoped model an endpoint's path id loads (read by the scope test)."""

    def mark(func):
        func.scope_model = model
        return func

    return mark
