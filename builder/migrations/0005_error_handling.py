from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("builder", "0004_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="continued_failures",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
