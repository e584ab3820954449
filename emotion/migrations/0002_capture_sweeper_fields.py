from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("emotion", "0001_initial")]

    operations = [
        migrations.AddField(model_name="capture", name="sent_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="capture", name="claimed_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="capture", name="attempts",
                            field=models.PositiveSmallIntegerField(default=0)),
    ]
