"""App config for surveys: survey resources on top of the accounts."""

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The personal-data export lives in accounts, which may not import surveys: surveys
        # hands it the sections it holds about an account.
        from accounts.export import export_section_register
        from surveys.export import responses_given, surveys_owned

        export_section_register("surveys", surveys_owned)
        export_section_register("responses", responses_given)
