"""Pagination of API lists: limit and offset, with a ceiling so no request loads everything."""

from rest_framework.pagination import LimitOffsetPagination


class DefaultPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 500


class StepRunPagination(LimitOffsetPagination):
    """Step runs are small and read in long runs of pages by the debug panel."""

    default_limit = 100
    max_limit = 1000
