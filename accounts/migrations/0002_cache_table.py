"""Creates the database cache table (the sign-in lockout's counts) with the other tables, so
`migrate` alone sets a database up: make run, compose, the benchmarks and the tests."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor) -> None:
    # Creates the tables of the database caches in CACHES; does nothing for a Redis cache or
    # a table that already exists.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
