"""App configuration of the builder."""

from django.apps import AppConfig


class BuilderConfig(AppConfig):
    name = "builder"
    verbose_name = "Workflow builder"

    def ready(self) -> None:
        from auth_store.usage import register_usage_finder
        from builder import signals  # noqa: F401  (connects the worker start-up sweep)
        from builder.services.workflows import workflow_names_using

        # auth_store refuses to delete an authentication workflows use, without importing us.
        register_usage_finder(workflow_names_using)
