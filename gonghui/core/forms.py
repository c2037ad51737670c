from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (else on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def call_service(form, service, **kwargs):
    """Run a service for a bound, valid form; its ValidationError or PermissionDenied lands on
    the form (by field where it names one). Returns the service's result, or None on refusal."""
    from django.core.exceptions import PermissionDenied

    try:
        return service(**kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None
