"""App configuration of the builder."""

from django.apps import AppConfig


class BuilderConfig(AppConfig):
    name = "builder"
    verbose_name = "Workflow builder"

    def ready(self) -> None:
        from builder import signals  # noqa: F401  (connects the worker start-up sweep)
