"""App configuration of the builder."""

from django.apps import AppConfig


class BuilderConfig(AppConfig):
    name = "builder"
    verbose_name = "Workflow builder"

    def ready(self) -> None:
        from accounts.services import member_removing
        from auth_store.usage import register_usage_finder
        from builder import signals  # noqa: F401  (connects the worker start-up sweep)
        from builder.services.workflows import workflow_names_using, workflows_hand_over

        # auth_store refuses to delete an authentication workflows use, without importing us.
        register_usage_finder(workflow_names_using)
        # Removing someone from an organisation hands their workflows over.
        member_removing.connect(workflows_hand_over, dispatch_uid="builder.workflows_hand_over")
