"""Exceptions shared by every app's services."""


class StaleEdit(Exception):
    """Someone saved the record after this form was opened (optimistic lock on ``version``)."""
