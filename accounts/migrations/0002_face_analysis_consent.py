from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="face_analysis_consent_at",
            field=models.DateTimeField(
                blank=True, help_text="When the person agreed that their face in captures is analysed.", null=True
            ),
        ),
    ]
